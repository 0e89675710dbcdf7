import type { AppContext } from '../context.ts';
import type { JobHandlers } from '../adapters/jobs/db-job-queue.ts';

/** PLACEHOLDER until the domain's job handlers land: no kinds handled, so jobs stay queued. */
export function createJobHandlers(_context: AppContext): JobHandlers {
  return {};
}
