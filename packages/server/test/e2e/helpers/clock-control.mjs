// A controlled clock for end-to-end tests of the real `inkan serve` child process: loaded with
// `node --import <this file> …` by startInkanProcess({ clockFile }) only, it moves the server's injectable
// clock (ports/clock.ts `systemClock`, which the composition root uses) by the number of milliseconds
// written in the file named by E2E_CLOCK_FILE, re-read whenever the file changes. The server's own code
// never reads that variable or this file, and the release build compiles src/ only, so production has
// no way to move its clock; only a test that starts the process with this preload can.
import { readFileSync, statSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const file = process.env.E2E_CLOCK_FILE;
if (!file) throw new Error('clock-control.mjs needs E2E_CLOCK_FILE');
const { systemClock } = await import('../../../src/ports/clock.ts');
let seen = -1;
let offsetMs = 0;
systemClock.now = () => {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat && stat.mtimeMs !== seen) {
    seen = stat.mtimeMs;
    const value = Number(readFileSync(file, 'utf8').trim() || '0');
    if (!Number.isSafeInteger(value)) throw new Error(`E2E_CLOCK_FILE holds ${value}, not milliseconds`);
    offsetMs = value;
  }
  return new Date(Date.now() + offsetMs);
};
