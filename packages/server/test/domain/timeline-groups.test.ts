// The envelope timeline shows the platform key's use once per signature, under 詳細 (issue 11 part 5):
// the key.used events of a real signed envelope fold under their signature and the certificate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnvelopeEvent } from '../../../web/src/api/types.ts';
import { groupTimeline } from '../../../web/src/lib/timeline-groups.ts';

let seq = 0;
const event = (action: string, details: Record<string, unknown> = {}, at = seq): EnvelopeEvent => ({
  id: `e${++seq}`,
  action,
  actor: { type: 'system', name: null },
  createdAt: new Date(Date.UTC(2026, 11, 6, 10, 0, at)).toISOString(),
  ip: null,
  details,
});

describe('timeline grouping', () => {
  it('folds each key use under its signature or the certificate; other events stay as they are', () => {
    const sent = event('envelope.sent');
    const signedA = event('recipient.signature-applied', { recipientId: 'a' });
    const keyA1 = event('key.used', { recipientId: 'a', documentId: 'd1', purpose: 'recipient-signature' });
    const keyA2 = event('key.used', { recipientId: 'a', documentId: 'd2', purpose: 'recipient-signature' });
    const signedB = event('recipient.signature-applied', { recipientId: 'b' });
    const keyB1 = event('key.used', { recipientId: 'b', documentId: 'd1', purpose: 'recipient-signature' });
    const certificate = event('envelope.certificate-issued');
    const keyCertificate = event('key.used', { purpose: 'certificate-of-completion' });
    const stray = event('key.used', { purpose: 'something-else' });
    // Newest first, as the page shows them.
    const events = [stray, keyCertificate, certificate, keyB1, signedB, keyA2, keyA1, signedA, sent];
    const grouped = groupTimeline(events);
    assert.deepEqual(
      grouped.map((g) => [g.event.id, g.keyUses.map((k) => k.id)]),
      [
        [stray.id, []],
        [certificate.id, [keyCertificate.id]],
        [signedB.id, [keyB1.id]],
        [signedA.id, [keyA2.id, keyA1.id]],
        [sent.id, []],
      ],
    );
    assert.equal(grouped.filter((g) => g.event.action === 'key.used').length, 1, 'only the stray one is shown alone');
  });
});
