/**
 * A second worker process for the reminder race test:
 * `node --import tsx reminder-worker-process.ts ENV_JSON NOW_ISO DAY`. Builds a context from the same
 * environment (database, data dir, SMTP) with a clock fixed at NOW, waits for "go" on stdin so that
 * both workers start together, runs the day's reminder queueing once, prints `queued N`, and exits.
 */
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config/config.ts';
import { createContext } from '../../src/context.ts';
import { queueDeadlineReminders } from '../../src/domain/use-cases/queue-deadline-reminders.ts';

const [envJson, nowIso, day] = process.argv.slice(2);
const now = new Date(nowIso!);
const context = await createContext(loadConfig(JSON.parse(envJson!) as Record<string, string>), {
  clock: { now: () => now },
});
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) if (line === 'go') break;
const queued = await queueDeadlineReminders(context, { day: day! });
process.stdout.write(`queued ${queued}\n`);
await context.close();
