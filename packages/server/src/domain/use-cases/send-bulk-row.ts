import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { loadTemplate } from '../templates/template-model.ts';
import { createEnvelopeFromTemplate } from './create-envelope-from-template.ts';
import { sendEnvelope } from './send-envelope.ts';
import type { BulkRowData } from './start-bulk-send.ts';

/**
 * The job of one bulk send row: makes the envelope from the template (the row records it in the same
 * transaction, so a retry after a crash never makes a second one), sends it, and marks the row sent.
 * A row the domain refuses (the template was deleted or changed since) is marked failed with the code;
 * anything else is thrown for the queue to retry.
 */
export async function sendBulkRow(ctx: DomainContext, input: { rowId: string }): Promise<void> {
  const row = await ctx.db
    .selectFrom('bulk_send_rows')
    .innerJoin('bulk_sends', 'bulk_sends.id', 'bulk_send_rows.bulk_send_id')
    .select([
      'bulk_send_rows.id',
      'bulk_send_rows.row_number',
      'bulk_send_rows.data',
      'bulk_send_rows.status',
      'bulk_send_rows.envelope_id',
      'bulk_sends.id as bulk_send_id',
      'bulk_sends.organization_id',
      'bulk_sends.template_id',
      'bulk_sends.created_by_user_id',
      'bulk_sends.created_by_api_key_id',
    ])
    .where('bulk_send_rows.id', '=', input.rowId)
    .executeTakeFirst();
  if (!row || row.status !== 'pending') return;
  const actor =
    row.created_by_user_id !== null
      ? { type: 'user' as const, id: row.created_by_user_id }
      : { type: 'api_key' as const, id: row.created_by_api_key_id ?? '' };
  const finish = async (set: { status: 'sent' | 'failed'; error_code?: string; envelope_id?: string }) => {
    await ctx.db
      .updateTable('bulk_send_rows')
      .set({ ...set, finished_at: ctx.clock.now().toISOString() })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .execute();
    // A failed row's codes are of no use any more (a made envelope's went with it, below).
    if (set.status === 'failed') await ctx.db.deleteFrom('bulk_send_row_codes').where('row_id', '=', row.id).execute();
  };
  let envelopeId = row.envelope_id;
  try {
    if (envelopeId === null) {
      const data = JSON.parse(row.data) as BulkRowData;
      const template = await loadTemplate(ctx.db, row.organization_id, row.template_id);
      // The codes typed in the CSV, sealed to this row (outside any transaction: nothing is open yet).
      const sealed = await ctx.db
        .selectFrom('bulk_send_row_codes')
        .select(['position', 'access_code_sealed'])
        .where('row_id', '=', row.id)
        .execute();
      const codes: Array<string | null> = data.people.map(() => null);
      for (const code of sealed)
        codes[code.position] = (
          await ctx.secrets.openSecret('access-code', code.access_code_sealed, row.id, ctx.db)
        ).toString('utf8');
      const created = await createEnvelopeFromTemplate(
        ctx,
        {
          organizationId: row.organization_id,
          actor,
          templateId: row.template_id,
          variables: data.variables,
          people: data.people.map((p, i) => ({
            roleId: p.roleId,
            name: p.name,
            email: p.email,
            ...(codes[i] !== null ? { accessCode: codes[i] } : {}),
          })),
          eventDetails: { bulkSendId: row.bulk_send_id, bulkRow: String(row.row_number) },
          within: async (tx, id) => {
            const marked = await tx
              .updateTable('bulk_send_rows')
              .set({ envelope_id: id })
              .where('id', '=', row.id)
              .where('envelope_id', 'is', null)
              .executeTakeFirst();
            // Another run of this job made the envelope meanwhile: roll this one back.
            if (Number(marked.numUpdatedRows) !== 1) throw new Error('bulk row already has an envelope');
            // The recipients now hold their codes (sealed to them): the row's copies go in the same commit.
            await tx.deleteFrom('bulk_send_row_codes').where('row_id', '=', row.id).execute();
          },
        },
        template,
      );
      envelopeId = created.envelope.id;
    }
    const envelope = await ctx.db
      .selectFrom('envelopes')
      .select('status')
      .where('id', '=', envelopeId)
      .executeTakeFirstOrThrow();
    if (envelope.status === 'draft')
      await sendEnvelope(ctx, { organizationId: row.organization_id, envelopeId, actor });
    await finish({ status: 'sent' });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await finish({ status: 'failed', error_code: error.code });
  }
}
