/*
 * `inkan verify FILE` alone, the entry of the one script that scripts/build.mjs bundles from it
 * (packages/server/dist/verify-cli.js) together with the V8 code cache of that script: bin/inkan.mjs runs
 * it through vm.Script with the cache, so a verifying process compiles next to none of its JavaScript.
 * What it prints and its exit codes are runCli's for the same arguments.
 */
import { reportError } from './report-error.ts';
import { verifyFileCommand } from './verify-file-command.ts';

/**
 * Runs `inkan verify ARGS` (ARGS without the word verify) when they name one FILE: its exit code, with
 * errors reported as runCli reports them; undefined when ARGS are not one file to verify (bin/inkan.mjs
 * then runs the whole CLI, which prints what it prints for them).
 */
export async function runVerifyFile(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  try {
    return await verifyFileCommand(args, env);
  } catch (error) {
    return reportError(error);
  }
}
