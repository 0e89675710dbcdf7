import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { AUDIT_PAGE_MAX, listAuditEvents, type AuditEntry, type AuditFilter } from './list-audit-events.ts';

/** The most rows one export holds (a spreadsheet's practical limit; narrow the filter for more). */
export const AUDIT_EXPORT_MAX_ROWS = 100_000;

/**
 * The export of the operation log (CSV): records `audit.exported` with the filter (exporting the log
 * is itself an operation worth knowing about), then yields the matching entries newest first, page by
 * page, so that a large export is never held in memory whole. The filter is checked before anything
 * is recorded: a bad filter is VALIDATION_FAILED and leaves no trace.
 */
export async function exportAuditEvents(
  ctx: DomainContext,
  input: AuditFilter & { organizationId: string; actorOfExport: Actor; origin?: RequestOrigin },
): Promise<AsyncIterable<AuditEntry>> {
  const filter: AuditFilter & { organizationId: string } = {
    organizationId: input.organizationId,
    from: input.from,
    to: input.to,
    action: input.action,
    envelopeId: input.envelopeId,
    actor: input.actor,
  };
  const first = await listAuditEvents(ctx, { ...filter, limit: AUDIT_PAGE_MAX });
  await inTransaction(ctx.db, ctx.dialect, (tx) =>
    recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actorOfExport,
      action: 'audit.exported',
      origin: input.origin,
      at: ctx.clock.now(),
      details: {
        format: 'csv',
        filter: Object.fromEntries(
          Object.entries({
            from: input.from,
            to: input.to,
            action: input.action,
            envelopeId: input.envelopeId,
            actor: input.actor,
          }).filter(([, v]) => v),
        ),
      },
    }),
  );
  return {
    async *[Symbol.asyncIterator]() {
      let page = first;
      let count = 0;
      for (;;) {
        for (const entry of page.items) {
          if (count++ >= AUDIT_EXPORT_MAX_ROWS) return;
          yield entry;
        }
        if (!page.nextCursor) return;
        page = await listAuditEvents(ctx, { ...filter, limit: AUDIT_PAGE_MAX, cursor: page.nextCursor });
      }
    },
  };
}
