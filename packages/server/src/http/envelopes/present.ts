import { effectiveStatus } from '../../domain/envelope-state.ts';
import type { EnvelopeDetails } from '../../domain/rows.ts';
import type { TimelineEntry } from '../../domain/use-cases/list-envelope-events.ts';
import type { EnvelopeSummary } from '../../domain/use-cases/list-envelopes.ts';

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** The Envelope JSON of docs/api.md. Generated access codes appear once, in the create response. */
export function presentEnvelope(details: EnvelopeDetails, now: Date) {
  const { envelope } = details;
  return {
    id: envelope.id,
    name: envelope.name,
    message: envelope.message,
    status: effectiveStatus(envelope, now),
    certificateId: envelope.certificateId,
    expiresAt: iso(envelope.expiresAt),
    createdAt: iso(envelope.createdAt),
    sentAt: iso(envelope.sentAt),
    completedAt: iso(envelope.completedAt),
    canceledAt: iso(envelope.canceledAt),
    certificateIssuedAt: iso(envelope.certificateIssuedAt),
    sourceEnvelopeId: envelope.sourceEnvelopeId,
    approvalRouteId: envelope.approvalRouteId,
    documents: details.documents.map((d) => ({
      id: d.id,
      name: d.name,
      pages: d.pages,
      size: d.size,
      sha256: d.sha256Current,
      sha256Original: d.sha256Original,
    })),
    recipients: details.recipients.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      order: r.order,
      role: r.role,
      language: r.language,
      auth: r.auth,
      status: r.status,
      notifiedAt: iso(r.notifiedAt),
      viewedAt: iso(r.viewedAt),
      signedAt: iso(r.signedAt),
      declinedAt: iso(r.declinedAt),
      declineReason: r.declineReason,
      lockedAt: iso(r.lockedAt),
      failedAttempts: r.failedAttempts,
      // 登録済みアクセスコード: the code the counterparty chose in the address book (never shown).
      ...(r.addressBookContactId ? { contactId: r.addressBookContactId, registeredAccessCode: true } : {}),
      /** Whether the code is kept (encrypted) so that the envelope's sender can see it again. */
      accessCodeStored: r.accessCodeSealed !== null,
      remindedAt: iso(r.remindedAt),
      reminderCount: r.reminderCount,
      ...(details.generatedAccessCodes?.[r.id] ? { accessCode: details.generatedAccessCodes[r.id] } : {}),
    })),
  };
}

/** EnvelopeSummary JSON of the list. */
export function presentSummary(item: EnvelopeSummary, now: Date) {
  return {
    id: item.envelope.id,
    name: item.envelope.name,
    status: effectiveStatus(item.envelope, now),
    createdAt: iso(item.envelope.createdAt),
    sentAt: iso(item.envelope.sentAt),
    completedAt: iso(item.envelope.completedAt),
    expiresAt: iso(item.envelope.expiresAt),
    recipients: item.recipients,
  };
}

/** One timeline entry. */
export function presentEvent(entry: TimelineEntry) {
  return {
    id: entry.id,
    action: entry.action,
    actor: { type: entry.actor.type, name: entry.actor.name },
    createdAt: entry.createdAt.toISOString(),
    ip: entry.ip,
    userAgent: entry.userAgent,
    details: entry.details,
  };
}
