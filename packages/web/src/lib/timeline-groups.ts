// How the envelope timeline folds the platform key's uses (one per document and signature) under the
// signature or the certificate they belong to (issue 11 part 5). Pure, so it is tested without a browser.
import type { EnvelopeEvent } from '../api/types.ts';

/** A timeline entry and the key uses folded under it. */
export interface TimelineEntry {
  event: EnvelopeEvent;
  keyUses: EnvelopeEvent[];
}

/** The value when it is a string. */
export const textOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The entry a `key.used` event belongs to: the signature of its recipient, or the certificate. */
function parentOf(keyUse: EnvelopeEvent, entries: TimelineEntry[]): TimelineEntry | undefined {
  const recipientId = textOf(keyUse.details?.['recipientId']);
  if (recipientId)
    return entries.find(
      (e) => e.event.action === 'recipient.signature-applied' && e.event.details?.['recipientId'] === recipientId,
    );
  if (keyUse.details?.['purpose'] === 'certificate-of-completion')
    return entries.find((e) => e.event.action === 'envelope.certificate-issued');
  return undefined;
}

/** Groups key uses under their entries; the order of `events` (newest first) is kept. */
export function groupTimeline(events: readonly EnvelopeEvent[]): TimelineEntry[] {
  const entries: TimelineEntry[] = events
    .filter((e) => e.action !== 'key.used')
    .map((event) => ({ event, keyUses: [] }));
  for (const keyUse of events.filter((e) => e.action === 'key.used')) {
    const parent = parentOf(keyUse, entries);
    // A key use with nothing to belong to stays visible on its own.
    if (parent) parent.keyUses.push(keyUse);
    else entries.push({ event: keyUse, keyUses: [] });
  }
  return entries.sort((a, b) => b.event.createdAt.localeCompare(a.event.createdAt));
}
