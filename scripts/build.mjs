#!/usr/bin/env node
// Builds the release: the web UI (Vite → packages/web/dist) and core + server compiled by esbuild into
// packages/server/dist, run by plain `node` (no tsx). Each part is rebuilt only when its sources are
// newer than its last build, so `npm start` can call this every time.
//
//   node scripts/build.mjs [--force] [--quiet]
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const quiet = process.argv.includes('--quiet');

/** Where the compiled server goes (also read by the release test and the Dockerfile). */
export const SERVER_DIST = join(root, 'packages', 'server', 'dist');
const stamp = join(SERVER_DIST, '.build-stamp');

/** The newest modification time under `path` (a file or a folder), 0 when absent. */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs; // a deleted file changes its folder's mtime
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Packages compiled into the build: pure JavaScript, loaded by every command. */
const BUNDLED = /^(zod)(\/|$)/;

const serverInputs = [
  join(root, 'packages', 'core', 'src'),
  join(root, 'packages', 'core', 'package.json'),
  join(root, 'packages', 'server', 'src'),
  join(root, 'packages', 'server', 'data'),
  join(root, 'packages', 'server', 'package.json'),
  join(root, 'scripts', 'build.mjs'),
  // The code cache of `inkan verify` is made for the script as bin/verify-script.mjs reads it.
  join(root, 'scripts', 'make-verify-cache.mjs'),
  join(root, 'bin'),
  join(root, 'deploy', 'node-flags.json'),
  join(root, 'package.json'),
];

/** Resolves the packages of the build: @inkan/core from its sources, the others left in node_modules but zod. */
const inkanPackages = {
  name: 'inkan-packages',
  setup(build) {
    // @inkan/core and its subpath exports (e.g. @inkan/core/text/ja-values) compile in from their sources.
    const coreExports = JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')).exports;
    build.onResolve({ filter: /^@inkan\/core(\/|$)/ }, (args) => {
      const target = coreExports[`.${args.path.slice('@inkan/core'.length)}`];
      if (typeof target !== 'string') return { errors: [{ text: `${args.path} is not an export of @inkan/core` }] };
      return { path: join(root, 'packages', 'core', target) };
    });
    // Other packages stay in node_modules (native modules, fonts, Fastify's plugins), except the
    // pure-JS ones every command needs, compiled in so that a start does not resolve and parse
    // them file by file (see THIRD-PARTY-NOTICES.md).
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      BUNDLED.test(args.path) ? undefined : { path: args.path, external: true },
    );
  },
};

/** Compiles core and server into packages/server/dist when a source is newer than the last build. */
async function buildServer() {
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  if (!force && built > 0 && built >= Math.max(...serverInputs.map(newestMtime))) return false;
  // esbuild comes with the development install (tsx depends on it); a production install has no sources to build.
  const esbuild = await import('esbuild');
  if (!quiet) console.error('build: compiling core and server into packages/server/dist');
  rmSync(SERVER_DIST, { recursive: true, force: true });
  const common = {
    absWorkingDir: root,
    outdir: SERVER_DIST,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // Their ES builds: Node would load a bundled package as CommonJS and scan it for exports on every start.
    mainFields: ['module', 'main'],
    plugins: [inkanPackages],
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  };
  await esbuild.build({
    ...common,
    // The CLI and the modules of its threads: the job worker's and the verification workers' (each thread loads only what it needs).
    entryPoints: {
      inkan: 'packages/server/src/cli/main.ts',
      'worker-thread': 'packages/server/src/jobs/worker-thread.ts',
      // The SQLite write-lock broker's threads (adapters/db/sqlite-write-lock.ts loads it beside its own chunk).
      'sqlite-lock-thread': 'packages/server/src/adapters/db/sqlite-lock-thread.ts',
      // The verification workers of /api/verify (adapters/verification/verify-worker-pool.ts loads
      // ./verify-worker.js beside its own chunk, in this folder).
      'verify-worker': 'packages/server/src/adapters/verification/verify-worker.ts',
    },
    // Commands import the HTTP stack on demand; splitting keeps that a separate file, so `inkan verify` never loads it.
    splitting: true,
    format: 'esm',
  });
  // `inkan verify FILE` once more, as one script that bin/verify-script.mjs runs with a V8 code cache: a
  // CommonJS module wrapped in a function expression, after a first line naming this build, which its
  // cache repeats (V8 would take a cache made for another script of the same length).
  await esbuild.build({
    ...common,
    entryPoints: { 'verify-cli': 'packages/server/src/cli/verify-cli.ts' },
    format: 'cjs',
    banner: {
      js: `// inkan verify FILE, build ${randomUUID()}: run by bin/verify-script.mjs, not a module\n(function (exports, require, module, __filename, __dirname) {`,
    },
    footer: { js: '})' },
  });
  // Files the server reads at run time beside its code: the common-password list (and its licence).
  mkdirSync(join(SERVER_DIST, 'data'));
  for (const name of ['common-passwords.txt', 'common-passwords.README.md'])
    copyFileSync(join(root, 'packages', 'server', 'data', name), join(SERVER_DIST, 'data', name));
  makeVerifyCache();
  writeFileSync(stamp, `${new Date().toISOString()}\n${NODE_LINE}`);
  return true;
}

/** The stamp's second line: the Node that made the code cache of `inkan verify` (V8 takes no other's). */
const NODE_LINE = `node ${process.version} ${process.arch}\n`;

/** Makes the code caches of `inkan verify` (see scripts/make-verify-cache.mjs); throws when it fails. */
function makeVerifyCache() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // V8 takes a cache only under the flags it was made with
  const made = spawnSync(process.execPath, [join(root, 'scripts', 'make-verify-cache.mjs')], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (made.status !== 0) throw new Error(`scripts/make-verify-cache.mjs failed (exit ${made.status ?? made.signal})`);
}

/**
 * A build that is current but whose code cache was made by another Node (or is missing): only the cache
 * is made again, so `inkan verify` does not compile its script at every start after a Node upgrade.
 */
function refreshVerifyCache() {
  if (!existsSync(stamp) || !existsSync(join(SERVER_DIST, 'verify-cli.js'))) return;
  if (readFileSync(stamp, 'utf8').endsWith(NODE_LINE) && existsSync(join(SERVER_DIST, 'verify-cli.cache'))) return;
  if (!quiet) console.error(`build: making the code cache of inkan verify for Node ${process.version}`);
  makeVerifyCache();
  writeFileSync(stamp, `${new Date().toISOString()}\n${NODE_LINE}`);
}

const web = spawnSync(
  process.execPath,
  [join(root, 'packages', 'web', 'scripts', 'build-web.mjs'), ...(force ? ['--force'] : [])],
  { stdio: 'inherit' },
);
if (web.status !== 0) process.exit(web.status ?? 1);
if (!(await buildServer())) refreshVerifyCache();
