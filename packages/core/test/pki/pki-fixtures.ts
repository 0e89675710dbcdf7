// Shared fixtures of the PKI tests: a temp dir per test file and an openssl runner that never throws.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Result of one openssl run; `output` is stdout and stderr together (openssl splits its verdicts across both). */
export interface OpensslResult {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
}

/** Runs openssl with `args` in `cwd`; resolves with exit code and output, also on failure. */
export function openssl(args: readonly string[], cwd?: string): Promise<OpensslResult> {
  return run('openssl', args, cwd);
}

/** Runs a command; resolves with exit code and output, also on failure (rejects only when it cannot start). */
export function run(command: string, args: readonly string[], cwd?: string): Promise<OpensslResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, encoding: 'utf8', maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      const code = error === null ? 0 : Number(error.code);
      resolve({ code, stdout, stderr, output: `${stdout}\n${stderr}` });
    });
  });
}

/** A fresh temp dir and its cleanup. */
export function tempDir(prefix: string): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), `inkan-${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
