import type { Insertable } from 'kysely';
import type { Schema } from '../../ports/database.ts';
import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { checkBulkCsv, type BulkReport } from '../templates/bulk-csv.ts';
import { loadTemplate } from '../templates/template-model.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { cleanFileName } from '../validation.ts';

/** Who sends and what. */
export interface BulkSendInput {
  organizationId: string;
  actor: Extract<Actor, { type: 'user' } | { type: 'api_key' }>;
  origin?: RequestOrigin;
  templateId: string;
  csv: string;
}

/** Step 1 (検証): the per-row report of a file; nothing is written. */
export async function validateBulkSend(ctx: DomainContext, input: BulkSendInput): Promise<BulkReport> {
  const details = await loadTemplate(ctx.db, input.organizationId, input.templateId);
  return checkBulkCsv(ctx, details, input.csv);
}

/**
 * What a row keeps until its job has made the envelope. The recipients' access codes are not in it: they
 * are in bulk_send_row_codes, sealed to the row, where `inkan keys rotate` reseals them.
 */
export interface BulkRowData {
  variables: Record<string, string>;
  people: Array<{ roleId: string; name: string; email: string }>;
}

/** Rows per multi-row INSERT (a few columns each: far inside both databases' parameter limits). */
const INSERT_CHUNK = 500;

const SUBMISSION_KEY = /^[A-Za-z0-9_-]{16,100}$/;

/**
 * Step 2 (送信): checks the file again and, in one transaction, stores the valid rows and queues one job
 * per row. The client's submission key makes a second submission (a double click, a retried request)
 * return the bulk send made the first time instead of sending twice.
 */
export async function startBulkSend(
  ctx: DomainContext,
  input: BulkSendInput & { submissionKey: string; fileName?: string },
): Promise<{ bulkSendId: string; created: boolean; report: BulkReport }> {
  if (typeof input.submissionKey !== 'string' || !SUBMISSION_KEY.test(input.submissionKey))
    throw new AppError('VALIDATION_FAILED', 'submissionKey must be 16–100 letters, digits, - or _', {
      field: 'submissionKey',
    });
  const details = await loadTemplate(ctx.db, input.organizationId, input.templateId);
  const report = await checkBulkCsv(ctx, details, input.csv);
  const existing = async () =>
    ctx.db
      .selectFrom('bulk_sends')
      .select(['id', 'template_id'])
      .where('organization_id', '=', input.organizationId)
      .where('submission_key', '=', input.submissionKey)
      .executeTakeFirst();
  const earlier = await existing();
  if (earlier) return { bulkSendId: earlier.id, created: false, report };
  if (report.valid.length === 0) throw new AppError('BULK_NOTHING_TO_SEND', 'no valid row to send');
  const bulkSendId = newId();
  const now = ctx.clock.now();
  try {
    await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      await tx
        .insertInto('bulk_sends')
        .values({
          id: bulkSendId,
          organization_id: input.organizationId,
          template_id: details.template.id,
          created_by_user_id: input.actor.type === 'user' ? input.actor.id : null,
          created_by_api_key_id: input.actor.type === 'api_key' ? input.actor.id : null,
          submission_key: input.submissionKey,
          file_name: cleanFileName(input.fileName, 'bulk.csv'),
          total_rows: report.totalRows,
          created_at: now.toISOString(),
        })
        .execute();
      // Written in multi-row INSERTs: one round trip per chunk rather than three or four per row
      // (PostgreSQL pays each round trip).
      const rows: Array<Insertable<Schema['bulk_send_rows']>> = [];
      const codes: Array<Omit<Insertable<Schema['bulk_send_row_codes']>, 'access_code_sealed'> & { code: string }> = [];
      for (const row of report.valid) {
        const rowId = newId();
        const data: BulkRowData = {
          variables: row.variables,
          people: row.people.map((p) => ({ roleId: p.roleId, name: p.name, email: p.email })),
        };
        for (const [position, p] of row.people.entries())
          if (p.accessCode) codes.push({ row_id: rowId, position, code: p.accessCode });
        rows.push({
          id: rowId,
          bulk_send_id: bulkSendId,
          row_number: row.row,
          data: JSON.stringify(data),
          status: 'pending',
          envelope_id: null,
          error_code: null,
          finished_at: null,
        });
      }
      for (let start = 0; start < rows.length; start += INSERT_CHUNK)
        await tx
          .insertInto('bulk_send_rows')
          .values(rows.slice(start, start + INSERT_CHUNK))
          .execute();
      // One look-up of the current KEK for all the codes (not one per code).
      const sealed = await ctx.secrets.sealSecrets(
        'access-code',
        codes.map((c) => ({ plaintext: c.code, aad: c.row_id })),
        tx,
      );
      for (let start = 0; start < codes.length; start += INSERT_CHUNK)
        await tx
          .insertInto('bulk_send_row_codes')
          .values(
            codes
              .slice(start, start + INSERT_CHUNK)
              .map(({ row_id, position }, i) => ({ row_id, position, access_code_sealed: sealed[start + i]! })),
          )
          .execute();
      await ctx.jobs.enqueueMany(
        tx,
        'bulk.send-row',
        rows.map(({ id }) => ({ payload: { rowId: id }, dedupeKey: `bulk-row:${id}` })),
      );
      await recordEvent(tx, {
        organizationId: input.organizationId,
        actor: input.actor,
        origin: input.origin,
        action: 'bulk-send.started',
        at: now,
        details: {
          bulkSendId,
          templateId: details.template.id,
          rows: report.totalRows,
          valid: report.valid.length,
          invalid: report.totalRows - report.valid.length,
        },
      });
    });
  } catch (error) {
    // Two submissions with one key at the same moment: the unique key let one through; return it.
    const winner = await existing();
    if (winner) return { bulkSendId: winner.id, created: false, report };
    throw error;
  }
  return { bulkSendId, created: true, report };
}
