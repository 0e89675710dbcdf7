/*
 * Grandfather-father-son retention: the newest backup of each of the `daily` most recent days that
 * have a backup is kept, likewise for months and years (calendar periods in the installation's time
 * zone); every other backup is pruned. Keeping the newest of a period means a period's kept backup
 * only ever moves to a newer one, so pruning after every backup leaves what pruning once would.
 */

/** How many generations of each kind stay. */
export interface RetentionPolicy {
  daily: number;
  monthly: number;
  yearly: number;
}

// Making an Intl.DateTimeFormat costs far more than formatting with one, and pruning formats every
// backup's date three times: one formatter per time zone and kind, made on first use.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(kind: 'day' | 'parts', timeZone: string): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    formatter =
      kind === 'day'
        ? new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
        : new Intl.DateTimeFormat('en-US', {
            timeZone,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
          });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** The calendar date `YYYY-MM-DD` of an instant in a time zone. */
export function zonedDay(instant: Date, timeZone: string): string {
  return formatterOf('day', timeZone).format(instant);
}

/** The ids to keep among `backups` (any order). */
export function backupsToKeep(
  backups: ReadonlyArray<{ id: string; createdAt: Date }>,
  policy: RetentionPolicy,
  timeZone: string,
): Set<string> {
  const newestFirst = [...backups].sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1),
  );
  const keep = new Set<string>();
  const periods: Array<[number, (day: string) => string]> = [
    [policy.daily, (day) => day],
    [policy.monthly, (day) => day.slice(0, 7)],
    [policy.yearly, (day) => day.slice(0, 4)],
  ];
  for (const [count, periodOf] of periods) {
    const seen = new Set<string>();
    for (const backup of newestFirst) {
      const period = periodOf(zonedDay(backup.createdAt, timeZone));
      if (seen.has(period)) continue;
      if (seen.size >= count) break;
      seen.add(period);
      keep.add(backup.id);
    }
  }
  return keep;
}

/** Milliseconds a time zone is ahead of UTC at an instant. */
function zoneOffsetMs(instant: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    formatterOf('parts', timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, Number(p.value)]),
  );
  return (
    Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) -
    Math.floor(instant.getTime() / 1000) * 1000
  );
}

/** The first instant after `now` at which the wall clock of `timeZone` shows hour:minute. */
export function nextDailyTime(now: Date, time: { hour: number; minute: number }, timeZone: string): Date {
  const [year, month, day] = zonedDay(now, timeZone).split('-').map(Number);
  for (let offsetDays = 0; offsetDays <= 2; offsetDays++) {
    const wall = Date.UTC(year, month - 1, day + offsetDays, time.hour, time.minute);
    // Two passes settle the zone's offset around a daylight-saving change.
    let instant = wall - zoneOffsetMs(new Date(wall), timeZone);
    instant = wall - zoneOffsetMs(new Date(instant), timeZone);
    if (instant > now.getTime()) return new Date(instant);
  }
  throw new Error('no next backup time found');
}
