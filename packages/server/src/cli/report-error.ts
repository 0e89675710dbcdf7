// The CLI's last word on an error that ended a command (runCli, and the bundled `inkan verify FILE`).

/** Prints an error the user can act on; codes are stable. */
export function reportError(error: unknown): number {
  // Compared by name: the classes live in modules this file loads only on demand.
  if ((error as Error)?.name === 'ConfigError') {
    process.stderr.write(`inkan: configuration error: ${(error as Error).message}\n`);
    return 2;
  }
  if ((error as Error)?.name === 'CoreError' && typeof (error as { code?: unknown }).code === 'string') {
    const { code, message } = error as { code: string; message: string };
    const hint =
      code === 'PKI_BAD_MASTER_KEY'
        ? '\n(INKAN_MASTER_KEY must hold the key the data directory was initialised with)'
        : '';
    process.stderr.write(`inkan: ${code}: ${message}${hint}\n`);
    return 2;
  }
  const err = error as { code?: unknown; syscall?: unknown; message?: string };
  // Missing files and bad options are the user's to fix: a message, not a stack trace.
  if (
    (typeof err?.code === 'string' && typeof err.syscall === 'string') ||
    (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS'))
  ) {
    process.stderr.write(`inkan: ${err.message}\n`);
    return 2;
  }
  process.stderr.write(`inkan: ${(error as Error)?.stack ?? String(error)}\n`);
  return 2;
}
