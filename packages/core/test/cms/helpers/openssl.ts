/** Runs the openssl CLI for CMS tests. */
import { execFile } from 'node:child_process';

export interface RunResult {
  readonly ok: boolean;
  readonly code: number;
  readonly output: string;
  readonly stdout: Buffer;
}

/** Runs `openssl ...args`; never rejects, so tests can assert on failures too. */
export function openssl(args: readonly string[], cwd?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      'openssl',
      [...args],
      { cwd, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ ok: code === 0, code, output: `${stdout.toString('latin1')}\n${stderr.toString('latin1')}`, stdout });
      },
    );
  });
}

/** Runs openssl and throws with its output when it fails (for fixture set-up). */
export async function opensslOk(args: readonly string[], cwd?: string): Promise<RunResult> {
  const result = await openssl(args, cwd);
  if (!result.ok) throw new Error(`openssl ${args.join(' ')} failed (${result.code}):\n${result.output}`);
  return result;
}
