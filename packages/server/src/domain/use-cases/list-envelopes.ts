import { sql } from 'kysely';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { toEnvelope } from '../rows.ts';
import { ENVELOPE_STATUSES } from '../envelope-machine.ts';
import type { Envelope, EnvelopeStatus, RecipientRole, RecipientStatus } from '../types.ts';

/** One row of the envelope list. */
export interface EnvelopeSummary {
  envelope: Envelope;
  recipients: Array<{ name: string; status: RecipientStatus; role: RecipientRole }>;
}

/** Input of list-envelopes: filters and keyset pagination (newest first). */
export interface ListEnvelopesInput {
  organizationId: string;
  status?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

/** The organisation's envelopes, newest first, by status and name; `nextCursor` pages on. */
export async function listEnvelopes(
  ctx: DomainContext,
  input: ListEnvelopesInput,
): Promise<{ items: EnvelopeSummary[]; nextCursor: string | null }> {
  const now = ctx.clock.now().toISOString();
  const limit = input.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new AppError('VALIDATION_FAILED', 'limit must be 1–100', { field: 'limit' });
  if (input.status !== undefined && !ENVELOPE_STATUSES.includes(input.status as EnvelopeStatus)) {
    throw new AppError('VALIDATION_FAILED', `status must be one of ${ENVELOPE_STATUSES.join(', ')}`, {
      field: 'status',
    });
  }
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  let query = ctx.db.selectFrom('envelopes').selectAll().where('organization_id', '=', input.organizationId);
  // A sent envelope past its expiry date is listed as expired (nothing has to run for that to be true).
  if (input.status === 'expired') {
    query = query.where((eb) =>
      eb.or([
        eb('status', '=', 'expired'),
        eb.and([eb('status', '=', 'sent'), eb('expires_at', 'is not', null), eb('expires_at', '<=', now)]),
      ]),
    );
  } else if (input.status === 'sent') {
    query = query
      .where('status', '=', 'sent')
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  } else if (input.status !== undefined) {
    query = query.where('status', '=', input.status as EnvelopeStatus);
  }
  const q = input.q?.trim();
  if (q) {
    if (q.length > 200) throw new AppError('VALIDATION_FAILED', 'q is too long', { field: 'q' });
    const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where(sql<boolean>`lower(name) like ${pattern} escape '\\'`);
  }
  if (cursor) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', cursor.createdAt),
        eb.and([eb('created_at', '=', cursor.createdAt), eb('id', '<', cursor.id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const recipients = page.length
    ? await ctx.db
        .selectFrom('recipients')
        .select(['envelope_id', 'name', 'status', 'signing_order', 'role'])
        .where(
          'envelope_id',
          'in',
          page.map((r) => r.id),
        )
        // Signers in order, then CC recipients (who never sign: their status stays pending).
        .orderBy('role', 'desc')
        .orderBy('signing_order')
        .orderBy('position')
        .execute()
    : [];
  const items = page.map((row) => ({
    envelope: toEnvelope(row),
    recipients: recipients
      .filter((r) => r.envelope_id === row.id)
      .map((r) => ({ name: r.name, status: r.status, role: r.role })),
  }));
  const last = page[page.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
}

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id]), 'utf8').toString('base64url');
}

function decodeCursor(text: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {
    // fall through
  }
  throw new AppError('VALIDATION_FAILED', 'cursor is not valid', { field: 'cursor' });
}
