/*
 * `inkan verify --batch`: verification of many PDFs for an audit — every file of a directory (recursively),
 * or every document of a register search — in the verification worker pool (one thread per core by
 * default, the pool the server's /verify uses), one report row per file as CSV, JSON or text. Memory is
 * bounded: at most a window of files is read and in flight, and rows are written in input order as soon as
 * they are known (the report streams; nothing accumulates).
 */
import { createHash } from 'node:crypto';
import { opendir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { VerificationReport } from '@inkan/core';
import type { PdfVerifier } from '../ports/pdf-verifier.ts';

/** One file to verify: a name for the report and a way to read it. */
export interface BatchSource {
  name: string;
  read(): Promise<Uint8Array>;
}

/** The verdict of one file. */
export type BatchVerdict = 'valid' | 'invalid' | 'indeterminate' | 'untrusted' | 'unsigned' | 'unreadable';

/** One row of the report. */
export interface BatchRow {
  file: string;
  verdict: BatchVerdict;
  size: number | null;
  sha256: string | null;
  signatures: number;
  documentTimestamps: number;
  signers: string[];
  /** Timestamp times: `signature` ones (when each was signed) and `document` ones (archive timestamps). */
  timestamps: string[];
  errors: string[];
}

export type BatchFormat = 'csv' | 'json' | 'text';

/** Every regular file under `dir`, recursively, in name order (a stable report); symbolic links are not followed. */
export async function* directorySources(dir: string): AsyncGenerator<BatchSource> {
  async function* walk(path: string): AsyncGenerator<string> {
    const entries: Array<{ name: string; dir: boolean }> = [];
    for await (const entry of await opendir(path))
      if (entry.isDirectory() || entry.isFile()) entries.push({ name: entry.name, dir: entry.isDirectory() });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(path, entry.name);
      if (entry.dir) yield* walk(full);
      else yield full;
    }
  }
  for await (const file of walk(dir)) yield { name: relative(dir, file), read: () => readFile(file) };
}

/** The report's row of a verified file. */
export function rowOfReport(file: string, report: VerificationReport): BatchRow {
  const signatures = report.signatures.filter((s) => s.type === 'signature');
  const stamps = report.signatures.filter((s) => s.type === 'document-timestamp');
  let verdict: BatchVerdict;
  if (report.exitCode === 0) verdict = 'valid';
  // No signature: a PDF without one, or no PDF at all (the verifier could not read its pages).
  else if (report.signatures.length === 0) verdict = report.file.pages == null ? 'unreadable' : 'unsigned';
  else if (report.signatures.some((s) => s.status === 'invalid')) verdict = 'invalid';
  else if (report.signatures.some((s) => s.status === 'indeterminate')) verdict = 'indeterminate';
  else if (report.signatures.some((s) => s.status === 'untrusted')) verdict = 'untrusted';
  else verdict = report.exitCode === 2 ? 'unreadable' : 'invalid';
  const errors = [...report.problems];
  for (const s of report.signatures)
    if (s.status !== 'valid')
      errors.push(
        `#${s.index} ${s.fieldName}: ${s.indication}${s.subIndication ? `/${s.subIndication}` : ''}${s.problems.length > 0 ? ` — ${s.problems.join('; ')}` : ''}`,
      );
  if (report.attacks.length > 0) errors.push(`attack patterns: ${report.attacks.join(', ')}`);
  return {
    file,
    verdict,
    size: report.file.size,
    sha256: report.file.sha256,
    signatures: signatures.length,
    documentTimestamps: stamps.length,
    signers: signatures.map((s) => s.claimed.name ?? s.signer?.commonName ?? '?'),
    timestamps: [
      ...signatures.filter((s) => s.timestamp).map((s) => `signature ${s.timestamp!.time}`),
      ...stamps.filter((s) => s.timestamp).map((s) => `document ${s.timestamp!.time}`),
    ],
    errors,
  };
}

/** The row of a file that could not be verified at all (unreadable, not a PDF, over a limit). */
function failedRow(file: string, error: unknown, bytes?: Uint8Array): BatchRow {
  return {
    file,
    verdict: 'unreadable',
    size: bytes?.length ?? null,
    sha256: bytes ? createHash('sha256').update(bytes).digest('hex') : null,
    signatures: 0,
    documentTimestamps: 0,
    signers: [],
    timestamps: [],
    errors: [
      (error as { code?: unknown })?.code !== undefined && typeof (error as { code?: unknown }).code === 'string'
        ? `${(error as { code: string }).code}: ${(error as Error).message}`
        : ((error as Error)?.message ?? String(error)),
    ],
  };
}

const CSV_HEADER = [
  'file',
  'verdict',
  'signatures',
  'document_timestamps',
  'signers',
  'timestamps',
  'errors',
  'size',
  'sha256',
];

/** A CSV field (RFC 4180): quoted when it holds a comma, quote or line break; formula-like text defused. */
function csvField(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  // A spreadsheet would run a cell starting with = + - @ as a formula (file names come from anywhere).
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Writes the report in one format as rows arrive: begin(), row() per file, end(). */
export function reportWriter(format: BatchFormat, write: (text: string) => void) {
  let first = true;
  return {
    begin(): void {
      if (format === 'csv') write(`${CSV_HEADER.join(',')}\r\n`);
      else if (format === 'json') write('[');
    },
    row(row: BatchRow): void {
      if (format === 'csv')
        write(
          `${[
            row.file,
            row.verdict,
            row.signatures,
            row.documentTimestamps,
            row.signers.join(' | '),
            row.timestamps.join(' | '),
            row.errors.join(' | '),
            row.size,
            row.sha256,
          ]
            .map(csvField)
            .join(',')}\r\n`,
        );
      else if (format === 'json') write(`${first ? '\n' : ',\n'}${JSON.stringify(row)}`);
      else
        write(
          `${row.verdict.toUpperCase().padEnd(13)} ${row.file} (${row.signatures} signature(s), ${row.documentTimestamps} document timestamp(s))${row.errors.length > 0 ? `\n              ${row.errors.join('\n              ')}` : ''}\n`,
        );
      first = false;
    },
    end(): void {
      if (format === 'json') write(first ? ']\n' : '\n]\n');
    },
  };
}

/** What a batch run needs besides its files. */
export interface BatchOptions {
  verifier: PdfVerifier;
  /** Files verified at once (the pool's workers); files read ahead are at most twice this. */
  parallel: number;
  trustAnchors: readonly Uint8Array[];
  at: Date;
  online: boolean;
  revocationData?: { crls: Uint8Array[]; ocsp: Uint8Array[] };
  /** Takes a row; may return a promise (the output's backpressure), awaited before the next. */
  onRow(row: BatchRow): void | Promise<void>;
}

/**
 * Verifies every source and hands the rows to onRow in the sources' order. Resolves with the counts once
 * every row was handed over. Each worker has one file verifying and one waiting beside it (the pool's
 * queue), and files are read ahead of their turn, so a worker never waits for the main thread to read the
 * next file or write a row: at most `4 × parallel` files are held at once.
 */
export async function verifyBatch(
  sources: AsyncIterable<BatchSource>,
  options: BatchOptions,
): Promise<{ total: number; valid: number }> {
  const window = Math.max(1, options.parallel) * 4;
  const pending = new Map<number, Promise<BatchRow>>();
  let next = 0;
  let emitted = 0;
  let valid = 0;
  const emitReady = async (all: boolean) => {
    while (pending.has(emitted) && (all || pending.size >= window)) {
      const row = await pending.get(emitted)!;
      pending.delete(emitted);
      emitted++;
      if (row.verdict === 'valid') valid++;
      await options.onRow(row);
    }
  };
  const limiter = createLimiter(Math.max(1, options.parallel) * 2);
  for await (const source of sources) {
    const index = next++;
    const read = readSource(source);
    pending.set(
      index,
      read.then((bytes) =>
        bytes instanceof Uint8Array ? limiter(() => verifyBytes(source.name, bytes, options)) : bytes,
      ),
    );
    await emitReady(false);
  }
  await emitReady(true);
  return { total: next, valid };
}

/** The file's bytes, or the row of a file that could not be read. */
async function readSource(source: BatchSource): Promise<Uint8Array | BatchRow> {
  try {
    return await source.read();
  } catch (error) {
    return failedRow(source.name, error);
  }
}

async function verifyBytes(name: string, bytes: Uint8Array, options: BatchOptions): Promise<BatchRow> {
  // The pool takes the memory over: a failure's row has the size, and the hash when the worker gave it.
  const size = bytes.length;
  try {
    const report = await options.verifier.verify({
      bytes,
      trustAnchors: options.trustAnchors,
      now: options.at,
      online: options.online,
      revocationData: options.revocationData,
    });
    return rowOfReport(name, report);
  } catch (error) {
    const file = (error as { file?: { sha256?: unknown } }).file;
    return { ...failedRow(name, error), size, sha256: typeof file?.sha256 === 'string' ? file.sha256 : null };
  }
}

/** Runs at most `limit` tasks at once, the rest in order of asking. */
function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
