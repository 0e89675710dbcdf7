/**
 * Runs the real `inkan` CLI as a child process from the repository root, with an environment that holds
 * no INKAN_* variable of the parent: the compiled release (`node bin/inkan.mjs …`, as an operator runs
 * it), rebuilt by scripts/build.mjs when a source is newer than the last build. A command through tsx
 * costs about a second of CPU more at every start (it compiles the sources it loads), and the suite
 * starts the CLI and the server a few hundred times.
 */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (the CLI's working directory in the tests). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The CLI entry point as npm would link it: the compiled release. */
export const INKAN_BIN = fileURLToPath(new URL('../../../../bin/inkan.mjs', import.meta.url));
/** The development entry point (`npm run inkan`): the TypeScript sources through tsx. */
export const SOURCE_INKAN_BIN = fileURLToPath(new URL('../../bin/inkan.mjs', import.meta.url));

// Once per test process, before any command runs: `npm test` has built already (its pretest), so this
// only reads modification times; a single test file run after an edit rebuilds here.
const build = spawnSync(process.execPath, ['scripts/build.mjs', '--quiet'], {
  cwd: REPO_ROOT,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (build.status !== 0) throw new Error(`scripts/build.mjs --quiet failed (exit ${build.status})`);

/** What a finished CLI run left behind. */
export interface InkanRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of runInkan. */
export interface RunInkanOptions {
  /** INKAN_DATA_DIR of the run. */
  dataDir: string;
  /** More variables (INKAN_TSA_URLS, INKAN_MASTER_KEY …). */
  env?: Record<string, string>;
  /** Script to run instead of INKAN_BIN (e.g. a symlink to it, or SOURCE_INKAN_BIN). */
  entry?: string;
}

const TIMEOUT_MS = 60_000;

/** The parent's environment without INKAN_* (a developer's own settings must not leak into tests). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // NODE_TEST_CONTEXT would make a child that imported node:test report to this runner.
    if (key.startsWith('INKAN_') || key === 'NODE_TEST_CONTEXT') continue;
    env[key] = value;
  }
  return env;
}

/** Runs `inkan ARGS…`; resolves with exit code and output (a non-zero exit is a result, not an error). */
export function runInkan(args: readonly string[], options: RunInkanOptions): Promise<InkanRun> {
  const env = { ...cleanEnv(), INKAN_DATA_DIR: options.dataDir, ...options.env };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [options.entry ?? INKAN_BIN, ...args],
      { cwd: REPO_ROOT, env, timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ code: 0, stdout, stderr });
        if (typeof error.code === 'number' && !error.killed) return resolve({ code: error.code, stdout, stderr });
        reject(
          new Error(
            `inkan ${args.join(' ')}: ${error.killed ? `killed after ${TIMEOUT_MS} ms` : error.message}\n${stderr}`,
            { cause: error },
          ),
        );
      },
    );
  });
}
