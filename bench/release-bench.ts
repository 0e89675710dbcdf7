// The release as an operator runs it, whole processes (the compiled CLI, plain node): CLI cold start
// (`inkan --version` beside `node -e 0`), `inkan verify` on a signed 45 MB PDF beside poppler's pdfsig
// in the same run (runs interleaved), and the server's RSS idle after start and after N envelopes.
// `npm run bench -- release [--runs=21] [--envelopes=100]`; results in bench/results/release-*.json and
// between the release-bench markers of README.md.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { makePdf } from '../packages/core/test/helpers/make-pdf.ts';
import { median } from './lib/harness.ts';
import { HttpClient, loopbackAddress, multipart } from './lib/http-client.ts';
import { descendantsOf } from './lib/inkan-process.ts';
import { MailWatcher, sqliteObserver } from './lib/db-observer.ts';
import { freePort, SERVER_NODE_ENV, SERVER_NODE_FLAGS } from './lib/inkan-process.ts';
import { escapeCell, machineInfo, resultStamp, writeBetweenMarkers } from './lib/report-files.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results');
const BIN = join(ROOT, 'bin', 'inkan.mjs');
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')) as Array<[string, string]>,
);
const RUNS = Number(args.runs ?? 21);
/** `--memory-only`: skip the cold-start and verify measurements (a partial run: README untouched). */
const MEMORY_ONLY = 'memory-only' in args;
/**
 * `--without-node-env`: the servers run without the glibc malloc settings of deploy/node-env.json (which
 * npm start, the container and the systemd unit set), to measure what they change.
 */
const SERVER_ENV = 'without-node-env' in args ? {} : SERVER_NODE_ENV;
/** `--only=verify`: cold start and `inkan verify` vs pdfsig only (no server), into their own results. */
const ONLY_VERIFY = args.only === 'verify';
/** The server's INKAN_WORKER_IDLE here: its idle job worker process exits after this (default 2m; shortened to wait less). */
const WORKER_IDLE_S = 5;
const ENVELOPES = Number(args.envelopes ?? 100);
const VERIFY_BYTES = 45 * 1000 * 1000;
const MiB = 1024 * 1024;

/** Runs a command to its end; the wall time of the whole process in ms. */
function timed(
  command: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  check: (stdout: string, status: number | null) => boolean,
): number {
  const start = performance.now();
  const result = spawnSync(command, argv, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * MiB });
  const ms = performance.now() - start;
  if (!check(result.stdout, result.status))
    throw new Error(
      `${command} ${argv.join(' ')}: unexpected result (${result.status})\n${result.stdout}\n${result.stderr}`,
    );
  return ms;
}

/** Runs `inkan ARGS` (compiled) to its end and returns stdout; throws on a non-zero exit. */
function inkan(argv: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync(process.execPath, [BIN, ...argv], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * MiB });
  if (result.status !== 0) throw new Error(`inkan ${argv.join(' ')}: ${result.status}\n${result.stderr}`);
  return result.stdout;
}

/** VmRSS and VmHWM of a process, in MiB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/**
 * The RSS of a server and of every process under it (its job worker processes), in MiB: with
 * `serve --role=all` the job work runs in child processes, and a server's memory is the sum.
 */
function treeMemoryOf(pid: number): { rss: number; peak: number; processes: number } {
  const own = memoryOf(pid);
  const others = descendantsOf(pid).map((child) => {
    try {
      return memoryOf(child).rss;
    } catch {
      return 0; // it exited between the listing and the read
    }
  });
  return { rss: own.rss + others.reduce((a, b) => a + b, 0), peak: own.peak, processes: 1 + others.length };
}

/** RSS sampled until stable (8 samples 0.5 s apart within 1 MiB, at most 60 s). */
async function stableMemoryOf(pid: number): Promise<{ rss: number; peak: number; processes: number }> {
  const samples: number[] = [];
  for (let i = 0; i < 120; i++) {
    samples.push(treeMemoryOf(pid).rss);
    const last = samples.slice(-8);
    if (last.length === 8 && Math.max(...last) - Math.min(...last) <= 1) break;
    await sleep(500);
  }
  return treeMemoryOf(pid);
}

const startedAt = new Date().toISOString();
const loadBefore = loadavg()[0];
console.log('release-bench: building');
if (spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' }).status !== 0)
  throw new Error('build failed');
const dir = mkdtempSync(join(tmpdir(), 'inkan-release-bench-'));
const baseEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  // glibc's allocator settings reach the server when the bench is given them (to compare their effect).
  ...Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name.startsWith('MALLOC_') || name === 'GLIBC_TUNABLES'),
  ),
  INKAN_DATA_DIR: join(dir, 'data'),
  INKAN_ENV: 'test',
};

try {
  inkan(['init'], baseEnv);

  // 1. Cold start, interleaved with node's own start.
  console.log(`release-bench: cold start, ${MEMORY_ONLY ? 0 : RUNS} runs each`);
  const nodeStart: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < (MEMORY_ONLY ? 0 : RUNS); i++) {
    nodeStart.push(timed(process.execPath, ['-e', '0'], baseEnv, (_o, s) => s === 0));
    version.push(
      timed(process.execPath, [BIN, '--version'], baseEnv, (o, s) => s === 0 && /^\d+\.\d+\.\d+\n$/.test(o)),
    );
  }

  // 2. inkan verify vs pdfsig on one signed 45 MB file.
  console.log('release-bench: making and signing a 45 MB PDF');
  const input = join(dir, 'big.pdf');
  const signed = join(dir, 'big-signed.pdf');
  writeFileSync(
    input,
    await makePdf({
      pages: 1,
      padToBytes: MEMORY_ONLY ? 0 : VERIFY_BYTES,
      text: 'This agreement is made between the parties named below.',
    }),
  );
  inkan(['sign', input, signed, '--name', 'Bench Signer'], baseEnv);
  const nss = join(dir, 'nss');
  mkdirSync(nss);
  writeFileSync(join(dir, 'root.pem'), inkan(['pki', 'export-root'], baseEnv));
  spawnSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
  spawnSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'root', '-t', 'CT,C,C', '-i', join(dir, 'root.pem')]);
  const size = readFileSync(signed).length;
  console.log(`release-bench: verify vs pdfsig, ${RUNS} runs each (${(size / 1e6).toFixed(1)} MB)`);
  const verify: number[] = [];
  const pdfsig: number[] = [];
  // The commands run with an operator's default environment (baseEnv: PATH, HOME, INKAN_*). When the bench's
  // own environment sets NODE_EXTRA_CA_CERTS (this machine does), node and inkan verify are also timed with
  // it: Node then parses the whole CA bundle at every start, before any line of Inkan runs.
  const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS;
  const caEnv: NodeJS.ProcessEnv = { ...baseEnv, NODE_EXTRA_CA_CERTS: extraCaCerts };
  const nodeWithCa: number[] = [];
  const verifyWithCa: number[] = [];
  for (let i = 0; i < (MEMORY_ONLY ? 0 : RUNS); i++) {
    verify.push(timed(process.execPath, [BIN, 'verify', signed], baseEnv, (_o, s) => s === 0));
    if (extraCaCerts !== undefined) {
      nodeWithCa.push(timed(process.execPath, ['-e', '0'], caEnv, (_o, s) => s === 0));
      verifyWithCa.push(timed(process.execPath, [BIN, 'verify', signed], caEnv, (_o, s) => s === 0));
    }
    pdfsig.push(
      timed(
        'pdfsig',
        ['-nssdir', `sql:${nss}`, '-no-ocsp', signed],
        baseEnv,
        (o) => o.includes('Signature is Valid.') && o.includes('Certificate is Trusted.'),
      ),
    );
  }

  if (ONLY_VERIFY) {
    const verifyResults = {
      startedAt,
      machine: machineInfo(loadBefore),
      runs: RUNS,
      coldStart: { nodeMs: median(nodeStart), inkanVersionMs: median(version), target: '≤ 150 ms' },
      verify: {
        fileBytes: size,
        inkanMs: median(verify),
        pdfsigMs: median(pdfsig),
        inkanAllMs: verify,
        pdfsigAllMs: pdfsig,
        target: 'no slower than pdfsig',
      },
      withNodeExtraCaCerts:
        extraCaCerts === undefined
          ? undefined
          : { path: extraCaCerts, nodeMs: median(nodeWithCa), inkanVerifyMs: median(verifyWithCa) },
    };
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(
      join(RESULTS, `release-verify-${resultStamp(startedAt)}.json`),
      `${JSON.stringify(verifyResults, null, 2)}\n`,
    );
    const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
    const markdown = [
      `Run ${startedAt} — Node ${verifyResults.machine.node}, ${escapeCell(verifyResults.machine.cpuModel)} ×${verifyResults.machine.cpus}, load average ${verifyResults.machine.loadAvg1m}, commit ${verifyResults.machine.commit}; ${RUNS} runs per command, interleaved; medians of whole processes (spawn → exit). The commands get an operator's default environment (PATH, HOME, INKAN_* only${extraCaCerts === undefined ? '' : "; not this machine's NODE_EXTRA_CA_CERTS, timed in the last row"}).`,
      '',
      '| measurement | Inkan (compiled, plain node) | beside it | target |',
      '|---|---:|---:|---|',
      `| CLI cold start: \`inkan --version\` | ${f(verifyResults.coldStart.inkanVersionMs)} ms | \`node -e 0\`: ${f(verifyResults.coldStart.nodeMs)} ms | ≤ 150 ms: ${verifyResults.coldStart.inkanVersionMs <= 150 ? 'met' : 'MISSED'} |`,
      `| \`inkan verify\` on a signed ${(size / 1e6).toFixed(1)} MB PDF | ${f(verifyResults.verify.inkanMs)} ms | \`pdfsig -no-ocsp\`: ${f(verifyResults.verify.pdfsigMs)} ms | no slower than pdfsig: ${verifyResults.verify.inkanMs <= verifyResults.verify.pdfsigMs ? 'met' : 'MISSED'} |`,
      ...(verifyResults.withNodeExtraCaCerts === undefined
        ? []
        : [
            `| the same \`inkan verify\` with this machine's NODE_EXTRA_CA_CERTS=${escapeCell(verifyResults.withNodeExtraCaCerts.path)} | ${f(verifyResults.withNodeExtraCaCerts.inkanVerifyMs)} ms | \`node -e 0\` with it: ${f(verifyResults.withNodeExtraCaCerts.nodeMs)} ms | — (not an operator's default) |`,
          ]),
      '',
    ].join('\n');
    writeBetweenMarkers(RESULTS, '<!-- release-verify-bench:start -->', '<!-- release-verify-bench:end -->', markdown);
    console.log(markdown);
  } else {
    // 3. Server RSS: idle after start, and idle after N envelopes (create → send → 1 signature → completed).
    console.log(`release-bench: server memory, then ${ENVELOPES} envelopes`);
    inkan(['org', 'create', '--name', 'Bench', '--slug', 'bench', '--admin-email', 'admin@bench.example.jp'], baseEnv);
    const apiKey = inkan(['apikey', 'create', '--org', 'bench'], baseEnv).trimEnd().split('\n').at(-1)!;
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const server = spawn(process.execPath, [...SERVER_NODE_FLAGS, BIN, 'serve'], {
      cwd: ROOT,
      env: {
        ...SERVER_ENV,
        ...baseEnv,
        INKAN_PORT: String(port),
        INKAN_PUBLIC_URL: baseUrl,
        INKAN_WORKER_IDLE: `${WORKER_IDLE_S}s`,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) =>
        chunk.toString().includes('Inkan is listening on ') ? resolve() : undefined,
      );
      server.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    });
    const admin = new HttpClient(baseUrl, '127.0.0.1');
    const settle = async () => {
      // Idle = no job due or running (the metrics say so), then a few seconds for the allocator to settle.
      for (;;) {
        const text = (await admin.request('GET', '/metrics')).body.toString();
        if (!/^inkan_jobs_(queued|running)\{/m.test(text)) break;
        await sleep(200);
      }
      // The job worker processes exit after INKAN_WORKER_IDLE without work (later on a loaded machine: wait
      // for them, at most a minute, or a sample counts one that is still going); then RSS is sampled until stable.
      await sleep((WORKER_IDLE_S + 3) * 1000);
      for (let waited = 0; descendantsOf(server.pid!).length > 0 && waited < 60_000; waited += 500) await sleep(500);
      return stableMemoryOf(server.pid!);
    };
    const afterStart = await settle();
    const heapOf = async () => {
      const text = (await admin.request('GET', '/metrics')).body.toString();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / MiB;
      return {
        heapUsed: value('nodejs_heap_size_used_bytes'),
        heapTotal: value('nodejs_heap_size_total_bytes'),
        external: value('nodejs_external_memory_bytes'),
      };
    };
    const heapAfterStart = await heapOf();

    const pdf = await makePdf({ pages: 2, text: 'Bench contract' });
    const mails = new MailWatcher(sqliteObserver(join(dir, 'data', 'inkan.db')));
    const flowStart = performance.now();
    let next = 0;
    const worker = async (lane: number) => {
      const api = new HttpClient(baseUrl, loopbackAddress(10 + lane));
      while (next < ENVELOPES) {
        const n = next++;
        const email = `signer${n}@bench.example.jp`;
        const body = multipart([
          {
            name: 'envelope',
            contentType: 'application/json',
            value: JSON.stringify({
              name: `Bench ${n}`,
              recipients: [{ name: `Signer ${n}`, email, accessCode: '1234', order: 1 }],
            }),
          },
          { name: 'documents', filename: 'contract.pdf', data: pdf },
        ]);
        const created = await api.request('POST', '/api/v1/envelopes', {
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': body.contentType },
          body: body.body,
        });
        if (created.status !== 201) throw new Error(`create: ${created.status} ${created.body}`);
        const id = (JSON.parse(created.body.toString()) as { id: string }).id;
        const sent = await api.request('POST', `/api/v1/envelopes/${id}/send`, {
          headers: { authorization: `Bearer ${apiKey}` },
        });
        if (sent.status !== 200) throw new Error(`send: ${sent.status}`);
        const token = await mails.signingToken(email, 120_000);
        const signer = new HttpClient(baseUrl, loopbackAddress(1000 + n));
        const passed = await signer.request('POST', `/api/sign/${token}/access-code`, { body: { code: '1234' } });
        if (passed.status !== 200) throw new Error(`access code: ${passed.status}`);
        const csrf = (JSON.parse(passed.body.toString()) as { csrfToken: string }).csrfToken;
        const cookie = (passed.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
        const done = await signer.request('POST', `/api/sign/${token}/sign`, {
          headers: { cookie, 'x-csrf-token': csrf },
        });
        if (done.status !== 202) throw new Error(`sign: ${done.status}`);
        for (;;) {
          const state = await api.request('GET', `/api/v1/envelopes/${id}`, {
            headers: { authorization: `Bearer ${apiKey}` },
          });
          if ((JSON.parse(state.body.toString()) as { status: string }).status === 'completed') break;
          await sleep(200);
        }
        signer.close();
      }
      api.close();
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    const flowSeconds = (performance.now() - flowStart) / 1000;
    const afterEnvelopes = await settle();
    const heapAfterEnvelopes = await heapOf();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));

    // Where the memory goes: the same data directory served by HTTP alone (no job worker thread).
    const webPort = await freePort();
    // With the same V8 flags as the server above (without --max-semi-space-size=2, V8's young generation
    // alone grows by up to ~45 MiB: this row once read 153 MiB, more than the whole server's 125).
    const web = spawn(process.execPath, [...SERVER_NODE_FLAGS, BIN, 'serve', '--role=web'], {
      cwd: ROOT,
      env: {
        ...SERVER_ENV,
        ...baseEnv,
        INKAN_PORT: String(webPort),
        INKAN_PUBLIC_URL: `http://127.0.0.1:${webPort}`,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      web.stdout!.on('data', (chunk: Buffer) =>
        chunk.toString().includes('Inkan is listening on ') ? resolve() : undefined,
      );
      web.once('exit', (code) => reject(new Error(`web exited (${code})`)));
    });
    await sleep(5000);
    const webOnly = await stableMemoryOf(web.pid!);
    web.kill('SIGTERM');
    await new Promise((resolve) => web.once('exit', resolve));

    const results = {
      startedAt,
      machine: machineInfo(loadBefore),
      runs: RUNS,
      coldStart: { nodeMs: median(nodeStart), inkanVersionMs: median(version), target: '≤ 150 ms' },
      verify: { fileBytes: size, inkanMs: median(verify), pdfsigMs: median(pdfsig), target: 'no slower than pdfsig' },
      serverMemory: {
        envelopes: ENVELOPES,
        flowSeconds,
        afterStart: { rssMiB: afterStart.rss, processes: afterStart.processes, ...heapAfterStart },
        afterEnvelopes: {
          rssMiB: afterEnvelopes.rss,
          peakMiB: afterEnvelopes.peak,
          processes: afterEnvelopes.processes,
          ...heapAfterEnvelopes,
        },
        webRoleOnlyAfterStart: { rssMiB: webOnly.rss },
        mallocEnvironment: Object.fromEntries(
          Object.entries({ ...SERVER_ENV, ...baseEnv }).filter(
            ([name]) => !name.startsWith('INKAN_') && name !== 'PATH' && name !== 'HOME',
          ),
        ),
        target: '≤ 150 MiB',
      },
    };
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(
      join(RESULTS, `release-${resultStamp(startedAt)}${MEMORY_ONLY ? '-partial' : ''}.json`),
      `${JSON.stringify(results, null, 2)}\n`,
    );
    const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
    const markdown = [
      `Run ${startedAt} — Node ${results.machine.node}, ${escapeCell(results.machine.cpuModel)} ×${results.machine.cpus}, load average ${results.machine.loadAvg1m}; ${RUNS} runs per command, interleaved; medians of whole processes (spawn → exit); servers run with ${
        Object.entries(results.serverMemory.mallocEnvironment)
          .map(([name, value]) => `${name}=${value}`)
          .join(' ') || 'no glibc malloc setting'
      }.`,
      '',
      '| measurement | Inkan (compiled, plain node) | beside it | target |',
      '|---|---:|---:|---|',
      `| CLI cold start: \`inkan --version\` | ${f(results.coldStart.inkanVersionMs)} ms | \`node -e 0\`: ${f(results.coldStart.nodeMs)} ms | ≤ 150 ms: ${met(results.coldStart.inkanVersionMs <= 150)} |`,
      `| \`inkan verify\` on a signed ${(size / 1e6).toFixed(1)} MB PDF | ${f(results.verify.inkanMs)} ms | \`pdfsig -no-ocsp\`: ${f(results.verify.pdfsigMs)} ms | no slower than pdfsig: ${met(results.verify.inkanMs <= results.verify.pdfsigMs)} |`,
      `| server RSS idle after start (\`inkan serve\`: HTTP + on-demand job worker processes, exiting after INKAN_WORKER_IDLE=${WORKER_IDLE_S}s; SQLite; RSS of all its processes: ${afterStart.processes}) | ${f(afterStart.rss)} MiB | JS heap used ${f(heapAfterStart.heapUsed)} MiB (main thread) | ≤ 150 MiB: ${met(afterStart.rss <= 150)} |`,
      `| server RSS idle after ${ENVELOPES} envelopes (${flowSeconds.toFixed(0)} s, server process peak ${f(afterEnvelopes.peak)} MiB; processes: ${afterEnvelopes.processes}) | ${f(afterEnvelopes.rss)} MiB | JS heap used ${f(heapAfterEnvelopes.heapUsed)} MiB (main thread) | ≤ 150 MiB: ${met(afterEnvelopes.rss <= 150)} |`,
      `| \`inkan serve --role=web\` alone (no job worker), idle after start | ${f(webOnly.rss)} MiB | difference to the whole server above: ${f(afterStart.rss - webOnly.rss)} MiB | — |`,
      '',
    ].join('\n');
    if (!MEMORY_ONLY)
      writeBetweenMarkers(RESULTS, '<!-- release-bench:start -->', '<!-- release-bench:end -->', markdown);
    console.log(markdown);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
