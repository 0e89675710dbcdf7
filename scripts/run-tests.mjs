#!/usr/bin/env node
// Runs every *.test.ts under packages/*/test with Node's built-in runner through tsx.
// Node 20's --test takes no globs, so the files are collected here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = [];
for (const pkg of readdirSync('packages')) collect(join('packages', pkg, 'test'), files);
files.sort();
if (filter.length > 0) files = files.filter((f) => filter.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}

// The whole suite (no filter) starts with the lint: ESLint with zero warnings and Prettier's check.
// Its verdict is printed again after the runner's summary, and a failure fails `npm test`.
const lintOk =
  filter.length > 0 ? true : spawnSync(process.execPath, ['scripts/lint.mjs'], { stdio: 'inherit' }).status === 0;

const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (filter.length === 0) console.log(`lint ${lintOk ? 'passed' : 'FAILED (run npm run lint)'}`);
process.exit(result.status === 0 && lintOk ? 0 : (result.status ?? 1) || 1);
