import { startOnDemandWorkerThread } from '../../src/jobs/worker-thread.ts';
import type { Db } from '../../src/ports/database.ts';

const HANDLERS = new URL('./process-job-handlers.ts', import.meta.url).href;

/**
 * The on-demand job worker as `serve --role=all` runs it (a child process), with the test handlers of
 * process-job-handlers.ts (each job mails which process ran it) and quick polls.
 */
export function startTestWorkerProcess(options: {
  env: Record<string, string>;
  db: Db;
  idleMs: number;
  /** The supervisor's log lines (default: dropped). */
  log?: (line: Record<string, unknown>) => void;
}) {
  return startOnDemandWorkerThread({
    log: () => undefined,
    ...options,
    pollMs: 10,
    duePollMs: 20,
    handlersModule: HANDLERS,
    isolation: 'process',
  });
}
