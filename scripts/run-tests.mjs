#!/usr/bin/env node
// Runs every *.test.ts under packages/*/test with Node's built-in runner through tsx.
// Node 20's --test takes no globs, so the files are collected here.
//
// Each file runs in a process of its own (run directly with the spec reporter), two at a time, under a
// watchdog:
// - a file that has printed nothing and whose processes used no CPU for START_LIMIT_MS is taken to be
//   stuck while loading (seen once in a full run: the file's process sat in a futex wait beside tsx's
//   esbuild service before its first test, and the whole suite waited 22 minutes). It is killed and run
//   once more; the retry is printed in the output and in the notes after the summary.
// - a file still running after FILE_LIMIT_MS is killed and counts as failed (no retry).
// Each file's output is printed whole when it ends (so files never interleave), without its own
// summary lines; the summary at the end adds up every file's.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { clearInterval, setInterval } from 'node:timers';

const START_LIMIT_MS = Number(process.env.INKAN_TEST_START_LIMIT_MS ?? 90_000);
const FILE_LIMIT_MS = Number(process.env.INKAN_TEST_FILE_LIMIT_MS ?? 20 * 60_000);
const CONCURRENCY = 2;
const SUMMARY_KEYS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo', 'duration_ms'];
const SUMMARY_LINE = new RegExp(`^ℹ (${SUMMARY_KEYS.join('|')}) ([0-9.]+)$`);

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

// The compiled release, once, before any file runs: each file's process would otherwise find the build
// stale after an edit and rebuild it, two at a time into the same folder (`npm test` built already, in its
// pretest, so this only reads modification times there). A failed build fails the run.
const build = spawnSync(process.execPath, ['scripts/build.mjs', '--quiet'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error(`run-tests: scripts/build.mjs --quiet failed (exit ${build.status ?? build.signal})`);
  process.exit(1);
}

// The files' temporary directories (data directories, SQLite files, backups, browser profiles) go to a
// memory file system when there is one: the tests are about behaviour, not about the disk, and two
// files at a time on one disk wait on each other's syncs (SQLite's, the blob store's, the backups').
// INKAN_TEST_TMPDIR names another parent; an empty value keeps the system's. Removed when the run ends.
const tmpParent = process.env.INKAN_TEST_TMPDIR ?? '/dev/shm';
let testTmp;
if (tmpParent !== '') {
  try {
    testTmp = mkdtempSync(join(tmpParent, 'inkan-tests-'));
    process.env.TMPDIR = testTmp;
  } catch {
    testTmp = undefined; // no such file system here: the system's temporary directory
  }
}
const removeTestTmp = () => {
  if (testTmp !== undefined) rmSync(testTmp, { recursive: true, force: true });
};

/** CPU time (clock ticks) used so far by every process of a process group, from /proc. */
function groupCpuTicks(pgid) {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command name (which may hold spaces): state ppid pgrp … utime(14) stime(15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks;
}

// Files run in process groups of their own (so a kill reaches the servers they started); when this
// runner is stopped, it stops them too.
const groups = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const pid of groups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    removeTestTmp();
    process.exit(130);
  });
}

/** Runs one file once; resolves with its output, exit status and why it was stopped, if it was. */
function runOnce(file) {
  return new Promise((resolve) => {
    const args = ['--import', 'tsx', '--test-reporter=spec', '--test-reporter-destination=stdout', file];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    groups.add(child.pid);
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    const began = Date.now();
    let stopped = null;
    const kill = (why) => {
      stopped = why;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    // Until the file prints something, its process group's CPU time is sampled: a group that printed
    // nothing and used no CPU for START_LIMIT_MS is stuck (a test that works uses CPU somewhere in it).
    let lastTicks = -1;
    let lastProgress = began;
    const timer = setInterval(() => {
      const now = Date.now();
      if (now - began > FILE_LIMIT_MS) return kill('time-limit');
      if (chunks.length > 0 || stopped) return;
      const ticks = groupCpuTicks(child.pid);
      if (ticks !== lastTicks) {
        lastTicks = ticks;
        lastProgress = now;
      } else if (now - lastProgress > START_LIMIT_MS) kill('no-start');
    }, 2000);
    child.on('close', (code, signal) => {
      clearInterval(timer);
      groups.delete(child.pid);
      resolve({ output: Buffer.concat(chunks).toString('utf8'), code, signal, stopped, ms: Date.now() - began });
    });
  });
}

const totals = Object.fromEntries(SUMMARY_KEYS.map((k) => [k, 0]));
const failedFiles = [];
const notes = [];
const suiteStarted = Date.now();

async function runFile(file) {
  let result = await runOnce(file);
  if (result.stopped === 'no-start') {
    const what = `printed nothing and used no CPU for ${START_LIMIT_MS / 1000} s (stuck while loading)`;
    notes.push(`${file}: ${what}; killed and run again`);
    console.log(`run-tests: ${file} ${what}; killed, running it again`);
    result = await runOnce(file);
  }
  const kept = [];
  const counts = {};
  for (const line of result.output.split('\n')) {
    const m = SUMMARY_LINE.exec(line);
    if (m) counts[m[1]] = Number(m[2]);
    else kept.push(line);
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  for (const k of SUMMARY_KEYS) if (k !== 'duration_ms') totals[k] += counts[k] ?? 0;
  let ok = result.code === 0;
  if (result.stopped) {
    ok = false;
    const why =
      result.stopped === 'time-limit'
        ? `still running after ${FILE_LIMIT_MS / 60_000} min`
        : `printed nothing and used no CPU for ${START_LIMIT_MS / 1000} s, twice`;
    kept.push(`✖ run-tests: ${file} was killed: ${why}`);
    // A killed file's tests never reported: count the file as one failed test so the summary cannot pass.
    totals.tests += 1;
    totals.fail += 1;
  } else if (!ok && (counts.fail ?? 0) === 0) {
    // The process failed without a failing test (a crash at load, an unhandled error): count it.
    kept.push(`✖ run-tests: ${file} exited with ${result.code ?? result.signal} and no failing test reported`);
    totals.tests += 1;
    totals.fail += 1;
  }
  if (!ok) failedFiles.push(file);
  console.log(kept.join('\n'));
  console.log(
    `── ${file}: ${counts.pass ?? 0} passed, ${counts.fail ?? 0} failed, ${counts.skipped ?? 0} skipped, ${(result.ms / 1000).toFixed(1)} s`,
  );
}

const queue = [...files];
await Promise.all(
  Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
    while (queue.length > 0) await runFile(queue.shift());
  }),
);

totals.duration_ms = Date.now() - suiteStarted;
removeTestTmp();
if (failedFiles.length > 0) console.log(`\n✖ files with failures:\n${failedFiles.map((f) => `  ${f}`).join('\n')}`);
if (notes.length > 0) console.log(`\nrun-tests notes:\n${notes.map((n) => `  ${n}`).join('\n')}`);
console.log(`\nℹ files ${files.length}`);
for (const k of SUMMARY_KEYS) console.log(`ℹ ${k} ${totals[k]}`);
if (filter.length === 0) console.log(`lint ${lintOk ? 'passed' : 'FAILED (run npm run lint)'}`);
process.exit(failedFiles.length === 0 && totals.fail === 0 && lintOk ? 0 : 1);
