#!/usr/bin/env node
// `npm run lint` (and the first step of `npm test`): ESLint with zero warnings allowed, then Prettier's
// check. Prints what failed and exits non-zero; fix formatting with `npm run format`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const binOf = (pkg, file) => join(dirname(require.resolve(`${pkg}/package.json`)), file);
const eslintBin = binOf('eslint', 'bin/eslint.js');
const prettierBin = binOf('prettier', 'bin/prettier.cjs');

function run(label, args) {
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  const ok = result.status === 0;
  console.log(`lint: ${label} ${ok ? 'passed' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return ok;
}

const eslintOk = run('eslint', [
  eslintBin,
  '--max-warnings=0',
  '--cache',
  '--cache-location',
  'node_modules/.cache/eslint/',
  '.',
]);
const prettierOk = run('prettier', [prettierBin, '--check', '--log-level=warn', '.']);
process.exit(eslintOk && prettierOk ? 0 : 1);
