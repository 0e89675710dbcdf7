#!/usr/bin/env node
// Builds packages/web/dist with Vite when it is missing or older than its sources, so that
// `npm start` and `npm test` at the root always serve the current UI (a fresh `npm ci` has no
// dist). Takes about a second when a build is needed and a few milliseconds when not.
//
//   node packages/web/scripts/build-web.mjs [--force]
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(webDir, 'dist', '.build-stamp');

/** The newest modification time under `path` (a file or a folder), 0 when absent. */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs; // a deleted file changes its folder's mtime
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

const inputs = [
  join(webDir, 'src'),
  join(webDir, 'public'),
  join(webDir, 'index.html'),
  join(webDir, 'vite.config.ts'),
  join(webDir, 'package.json'),
  // The shared value parsers (@inkan/core/text/ja-values) are bundled into the UI.
  resolve(webDir, '..', 'core', 'src', 'text'),
  // The message catalog (@inkan/core/messages) is the UI's every string.
  resolve(webDir, '..', 'core', 'src', 'messages'),
  // Reinstalled dependencies (npm ci, a version bump) rewrite this file.
  resolve(webDir, '..', '..', 'node_modules', '.package-lock.json'),
];

const force = process.argv.includes('--force');
const built = existsSync(stamp) && existsSync(join(webDir, 'dist', 'index.html')) ? statSync(stamp).mtimeMs : 0;
const sources = Math.max(...inputs.map(newestMtime));
if (!force && built > 0 && built >= sources) process.exit(0);

const viteBin = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
console.error('build-web: building packages/web/dist');
const result = spawnSync(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], { cwd: webDir, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('build-web: vite build failed');
  process.exit(result.status ?? 1);
}
writeFileSync(stamp, `${new Date().toISOString()}\n`);
