#!/usr/bin/env node
// Makes the V8 code caches of `inkan verify FILE` (packages/server/dist/verify-cli*.cache, used by
// bin/verify-script.mjs); scripts/build.mjs runs it after compiling, without NODE_OPTIONS.
//
// A cache is taken after verifying files, not straight after compiling: V8 compiles a function when it
// first runs, and the cache holds what was compiled by then. So a sample installation (`inkan init` with
// the compiled CLI, kept in node_modules/.cache between builds: its CA keys take seconds to make) signs
// two files made here: one large enough to be read in pieces (READ_IN_PIECES_BYTES), verified as text,
// and a small one signed and sealed (PAdES B-LTA), verified with --json. Each must verify as valid, or
// the build fails; an installation the CLI no longer opens is made anew once.
//
// V8 takes a cache only under the flags it was made with, so the verifying is done by a child process
// (this script with --train DIR, its standard output to /dev/null: the reports go there) per set of
// node options: none (plain `node bin/inkan.mjs`) and deploy/node-flags.json's (the container's
// entrypoint). Each writes the cache for its own options (verifyCacheFile).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadVerifyScript, verifyCacheFile, VERIFY_SCRIPT_DIR } from '../bin/verify-script.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Bytes of the large sample: over READ_IN_PIECES_BYTES (4 MiB) of cli/verify-file-command.ts. */
const LARGE_SAMPLE_BYTES = 6 * 1024 * 1024;

/**
 * A one-page PDF with a classic cross-reference table; `padBytes` adds an unreferenced stream of that
 * many bytes (as a scanned document's image data makes a file large).
 */
function samplePdf(padBytes) {
  const content = 'BT /F1 12 Tf 72 770 Td (Inkan verify cache sample) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const parts = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0].length;
  const offsets = [];
  const add = (buffer) => {
    parts.push(buffer);
    length += buffer.length;
  };
  const addObject = (body, stream) => {
    offsets.push(length);
    add(Buffer.from(`${offsets.length} 0 obj\n${body}`, 'latin1'));
    if (stream !== undefined) add(Buffer.concat([Buffer.from('\nstream\n'), stream, Buffer.from('\nendstream')]));
    add(Buffer.from('\nendobj\n'));
  };
  for (const body of objects) addObject(body);
  if (padBytes > 0) addObject(`<< /Length ${padBytes} >>`, Buffer.alloc(padBytes, 0x5a));
  const xref = length;
  const entries = offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  add(
    Buffer.from(
      `xref\n0 ${offsets.length + 1}\n0000000000 65535 f \n${entries}` +
        `trailer\n<< /Size ${offsets.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
      'latin1',
    ),
  );
  return Buffer.concat(parts);
}

/** The sample installation's data directory, kept between builds. */
const dataDir = join(root, 'node_modules', '.cache', 'inkan-verify-cache', 'data');
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), INKAN_DATA_DIR: dataDir };
const train = process.argv.indexOf('--train');

if (train > 0) {
  // Compiled from its source, as without a cache, then run as `inkan verify` runs it.
  const dir = process.argv[train + 1];
  const loaded = loadVerifyScript(VERIFY_SCRIPT_DIR, { useCache: false });
  if (loaded === undefined) throw new Error(`no ${VERIFY_SCRIPT_DIR}verify-cli.js: build first`);
  for (const args of [[join(dir, 'large-signed.pdf')], [join(dir, 'small-sealed.pdf'), '--json']]) {
    const code = await loaded.runVerifyFile(args, env);
    if (code !== 0) throw new Error(`inkan verify ${args.join(' ')}: exit ${code}, not 0 (valid)`);
  }
  const cache = join(VERIFY_SCRIPT_DIR, verifyCacheFile());
  writeFileSync(
    `${cache}.tmp`,
    Buffer.concat([Buffer.from(loaded.header, 'latin1'), loaded.script.createCachedData()]),
  );
  renameSync(`${cache}.tmp`, cache);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-verify-cache-'));
  try {
    const inkan = (...args) => {
      const run = spawnSync(process.execPath, [join(root, 'bin', 'inkan.mjs'), ...args], { env, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`inkan ${args.join(' ')} (exit ${run.status}): ${run.stderr}`);
    };
    const file = (name) => join(dir, name);
    writeFileSync(file('large.pdf'), samplePdf(LARGE_SAMPLE_BYTES));
    writeFileSync(file('small.pdf'), samplePdf(0));
    const signSamples = () => {
      inkan('init'); // idempotent: checks that the data directory's own master key opens its keys
      inkan('sign', file('large.pdf'), file('large-signed.pdf'), '--name', 'Verify Cache Sample');
      inkan('sign', file('small.pdf'), file('small-signed.pdf'), '--name', 'Verify Cache Sample');
      inkan('seal', file('small-signed.pdf'), file('small-sealed.pdf'));
    };
    try {
      signSamples();
    } catch (error) {
      if (!existsSync(dataDir)) throw error;
      rmSync(dataDir, { recursive: true, force: true }); // made by an older Inkan: a new one
      signSamples();
    }
    const deployFlags = JSON.parse(readFileSync(join(root, 'deploy', 'node-flags.json'), 'utf8'));
    for (const flags of [[], deployFlags]) {
      const trained = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), '--train', dir], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (trained.status !== 0)
        throw new Error(`the cache for node ${flags.join(' ')} failed (exit ${trained.status ?? trained.signal})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
