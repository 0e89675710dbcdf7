import { availableParallelism } from 'node:os';
import type { Config } from '../config/config.ts';
import { directorySources, reportWriter, verifyBatch, type BatchFormat, type BatchSource } from './batch-verify.ts';

const USAGE =
  'usage: inkan verify --batch DIR [--csv|--json] [--trust PEM]... [--jobs N] [--online] [--at TIME]\n' +
  '       inkan verify --batch --register --org SLUG [--filter NAME=VALUE]... [--csv|--json] [--jobs N]\n';

/** `inkan verify --batch …` (see batch-verify.ts); anchors: --trust and the data directory's own root. */
export async function batchVerifyCommand(
  config: Config,
  input: {
    values: {
      json?: boolean;
      csv?: boolean;
      jobs?: string;
      online?: boolean;
      at: Date;
      register?: boolean;
      org?: string;
      filter?: string[];
    };
    positionals: string[];
    anchors: Uint8Array[];
  },
): Promise<number> {
  const { values, positionals } = input;
  const register = values.register === true;
  if (values.json && values.csv) {
    process.stderr.write(`inkan: --csv and --json exclude each other\n${USAGE}`);
    return 2;
  }
  if (register ? positionals.length !== 0 || !values.org : positionals.length !== 1 || values.org !== undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  const jobs = values.jobs === undefined ? availableParallelism() : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) {
    process.stderr.write(`inkan: --jobs: a whole number from 1 to 256, not ${values.jobs}\n`);
    return 2;
  }
  const filters: Record<string, string | string[]> = {};
  for (const filter of values.filter ?? []) {
    const at = filter.indexOf('=');
    if (at <= 0) {
      process.stderr.write(`inkan: --filter: NAME=VALUE, not ${filter}\n`);
      return 2;
    }
    const name = filter.slice(0, at);
    const value = filter.slice(at + 1);
    const before = filters[name];
    filters[name] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
  }
  const format: BatchFormat = values.json ? 'json' : values.csv ? 'csv' : 'text';
  const [{ VerifyWorkerPool }, { verifyLimitsOf }] = await Promise.all([
    import('../adapters/verification/verify-worker-pool.ts'),
    import('../config/config.ts'),
  ]);
  const close: Array<() => Promise<void>> = [];
  let sources: AsyncIterable<BatchSource>;
  if (register) {
    const [{ createContext }, { exportContractDocuments }, { parseContractQuery }] = await Promise.all([
      import('../context.ts'),
      import('../domain/use-cases/export-contract-documents.ts'),
      import('../domain/register/contract-search.ts'),
    ]);
    let query;
    try {
      query = parseContractQuery(filters, { maxLimit: 1000 });
    } catch (error) {
      process.stderr.write(`inkan: --filter: ${(error as Error).message}\n`);
      return 2;
    }
    const context = await createContext(config);
    close.push(() => context.close());
    const documents = exportContractDocuments(context, { organizationSlug: values.org!, query });
    sources = (async function* () {
      for await (const d of documents)
        yield { name: `${d.contractId}/${d.kind}/${d.name}`, read: d.read } satisfies BatchSource;
    })();
  } else {
    sources = directorySources(positionals[0]!);
  }
  const pool = new VerifyWorkerPool({
    workers: jobs,
    workerMemoryMb: config.verify.workerMemoryMb,
    timeoutMs: config.verify.timeoutMs,
    queueLength: jobs,
    limits: verifyLimitsOf(config),
    background: false,
  });
  close.unshift(() => pool.close());
  // Rows wait for the terminal or pipe to take the previous ones: the report streams in bounded memory.
  let drained: Promise<void> | undefined;
  const writer = reportWriter(format, (text) => {
    if (!process.stdout.write(text)) drained ??= new Promise((resolve) => process.stdout.once('drain', resolve));
  });
  const flushed = async () => {
    const waiting = drained;
    drained = undefined;
    await waiting;
  };
  const started = process.hrtime.bigint();
  try {
    writer.begin();
    const result = await verifyBatch(sources, {
      verifier: pool,
      parallel: jobs,
      trustAnchors: input.anchors,
      at: values.at,
      online: values.online === true,
      onRow: async (row) => {
        writer.row(row);
        await flushed();
      },
    });
    writer.end();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stderr.write(
      `inkan: ${result.total} file(s) in ${seconds.toFixed(1)} s (${(result.total / Math.max(seconds, 1e-9)).toFixed(1)} files/s, ${jobs} worker(s)): ${result.valid} valid, ${result.total - result.valid} not\n`,
    );
    return result.total === result.valid ? 0 : 1;
  } finally {
    for (const stop of close) await stop();
  }
}
