import { certificateFileName } from './get-completion-certificate.ts';
import type { DbOrTx } from '../../ports/database.ts';
import type { ShredOutcome } from '../../ports/blob-store.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { japanDate, searchNorm } from '../register/contract-model.ts';
import { addDays } from '../register/reminder-days.ts';
import { retentionCandidates } from '../retention/retention-candidates.ts';
import { activeLegalHold, type AppliedRetention } from '../retention/retention-policy.ts';
import { inTransaction } from '../transaction.ts';

/** Why the retention job shreds (the tombstone events' `reason`). */
const REASON = 'retention-period-ended';

/** One stored file of a contract or an envelope. */
interface StoredFile {
  kind: 'original' | 'signed' | 'version' | 'certificate' | 'imported';
  name: string;
  sha256: string;
  blob: string;
  envelopeId: string | null;
}

/** What one run did. */
export interface RetentionSweepResult {
  /** Contracts and envelopes whose documents were shredded. */
  shredded: number;
  /** Files whose keys were destroyed (or, for files of before migration 020, deleted). */
  files: number;
  /** Contracts and envelopes past their period but kept by a legal hold. */
  held: number;
}

/** Queues today's retention run (once per Japan day, by its dedupe key). */
export async function scheduleRetentionSweep(ctx: Pick<DomainContext, 'db' | 'jobs'>, now: Date): Promise<void> {
  const day = japanDate(now);
  await ctx.jobs.enqueue(ctx.db, 'retention.sweep', { day }, { dedupeKey: `retention-sweep:${day}`, runAt: now });
}

/**
 * Job `retention.sweep` (daily, once per day across instances): every organisation contract (signed
 * here or imported) and every finished envelope without a register entry whose retention period (see
 * retention-policy.ts) has ended, and that no legal hold keeps, is crypto-shredded: the data keys of
 * all its files (the original, each signed version, the certificate of completion, an imported PDF)
 * are destroyed, the rows are marked shredded, the text read from them is cleared from the register's
 * search, and one tombstone event per file records which document
 * (name, SHA-256), why and under which rule. Events are never deleted, so the log keeps verifying.
 * Personal copies (保管 from a completion mail) belong to the account, not the organisation: not here.
 * First queues tomorrow's run, so the daily schedule survives a failure of today's.
 */
export async function shredExpiredDocuments(ctx: DomainContext): Promise<RetentionSweepResult> {
  const now = ctx.clock.now();
  const today = japanDate(now);
  const tomorrow = addDays(today, 1);
  await ctx.jobs.enqueue(
    ctx.db,
    'retention.sweep',
    { day: tomorrow },
    { dedupeKey: `retention-sweep:${tomorrow}`, runAt: new Date(Date.parse(`${tomorrow}T00:00:00+09:00`)) },
  );
  const result: RetentionSweepResult = { shredded: 0, files: 0, held: 0 };
  const organizations = await ctx.db.selectFrom('organizations').select('id').execute();
  for (const { id: organizationId } of organizations) {
    for (const candidate of await retentionCandidates(ctx.db, organizationId, today)) {
      const outcome = await shredSubject(ctx, { organizationId, ...candidate });
      if (outcome === 'held') result.held++;
      else {
        result.shredded++;
        result.files += outcome;
      }
    }
  }
  if (result.shredded > 0) await ctx.blobs.purgeShredded();
  return result;
}

/** The files of a contract and/or an envelope, each blob once. */
async function storedFiles(db: DbOrTx, contractId: string | null, envelopeId: string | null): Promise<StoredFile[]> {
  const files: StoredFile[] = [];
  if (contractId !== null) {
    const rows = await db
      .selectFrom('contract_documents')
      .select(['kind', 'name', 'sha256', 'blob'])
      .where('contract_id', '=', contractId)
      .orderBy('position')
      .execute();
    for (const r of rows) files.push({ kind: r.kind, name: r.name, sha256: r.sha256, blob: r.blob, envelopeId });
    // Earlier archived versions of the entry's own copies (an import's LTA renewals write new blobs).
    files.push(...(await archivedFiles(db, 'contract_id', contractId, envelopeId)));
  }
  if (envelopeId !== null) {
    const documents = await db
      .selectFrom('documents')
      .select(['id', 'name', 'sha256_original', 'sha256_current', 'blob_original', 'blob_current'])
      .where('envelope_id', '=', envelopeId)
      .orderBy('position')
      .execute();
    for (const d of documents) {
      files.push({ kind: 'original', name: d.name, sha256: d.sha256_original, blob: d.blob_original, envelopeId });
      files.push({ kind: 'signed', name: d.name, sha256: d.sha256_current, blob: d.blob_current, envelopeId });
    }
    const versions = await db
      .selectFrom('superseded_blobs as s')
      .innerJoin('documents as d', 'd.id', 's.document_id')
      .select(['d.name', 's.sha256', 's.blob_key'])
      .where('s.envelope_id', '=', envelopeId)
      .orderBy('s.superseded_at')
      .execute();
    for (const v of versions)
      files.push({ kind: 'version', name: v.name, sha256: v.sha256, blob: v.blob_key, envelopeId });
    // Every archived version of the sealed documents and the certificate (LTA renewals write new blobs).
    files.push(...(await archivedFiles(db, 'envelope_id', envelopeId, envelopeId)));
    const envelope = await db
      .selectFrom('envelopes')
      .select(['certificate_blob', 'certificate_sha256', 'certificate_id'])
      .where('id', '=', envelopeId)
      .executeTakeFirst();
    if (envelope?.certificate_blob && envelope.certificate_sha256)
      files.push({
        kind: 'certificate',
        name: certificateFileName(envelope.certificate_id),
        sha256: envelope.certificate_sha256,
        blob: envelope.certificate_blob,
        envelopeId,
      });
  }
  const seen = new Set<string>();
  return files.filter((f) => !seen.has(f.blob) && seen.add(f.blob));
}

/** The archived versions (LTA renewal) of an envelope's sealed files or of a register entry's own copies. */
async function archivedFiles(
  db: DbOrTx,
  by: 'envelope_id' | 'contract_id',
  id: string,
  envelopeId: string | null,
): Promise<StoredFile[]> {
  const archived = await db
    .selectFrom('archive_versions')
    .select(['name', 'sha256', 'blob'])
    .where(by, '=', id)
    .orderBy('subject_id')
    .orderBy('version')
    .execute();
  return archived.map((a) => ({ kind: 'version' as const, name: a.name, sha256: a.sha256, blob: a.blob, envelopeId }));
}

/**
 * Shreds one contract (and its envelope) or one envelope: keys first (each destruction commits on its
 * own; a retry finds them destroyed and goes on), then the rows and tombstones in one transaction.
 * Returns the number of files, or 'held' when a legal hold keeps it.
 */
async function shredSubject(
  ctx: DomainContext,
  subject: { organizationId: string; contractId: string | null; envelopeId: string | null; applied: AppliedRetention },
): Promise<number | 'held'> {
  const holdSubjects: Array<{ type: 'contract' | 'envelope'; id: string }> = [];
  if (subject.contractId) holdSubjects.push({ type: 'contract', id: subject.contractId });
  if (subject.envelopeId) holdSubjects.push({ type: 'envelope', id: subject.envelopeId });
  if (await activeLegalHold(ctx.db, holdSubjects)) return 'held';
  const files = await storedFiles(ctx.db, subject.contractId, subject.envelopeId);
  const outcomes: ShredOutcome[] = [];
  for (const file of files) outcomes.push(await ctx.blobs.shred(file.blob, REASON));
  const at = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    if (subject.contractId) {
      await tx
        .updateTable('contracts')
        .set({ shredded_at: at.toISOString() })
        .where('id', '=', subject.contractId)
        .execute();
      // The text read from the PDFs is the documents' content too: only the entry's own fields stay searchable.
      const entry = await tx
        .selectFrom('contracts')
        .select(['title', 'counterparties'])
        .where('id', '=', subject.contractId)
        .executeTakeFirstOrThrow();
      await tx
        .updateTable('contract_texts')
        .set({ extracted: '', search_norm: searchNorm(entry.title, JSON.parse(entry.counterparties) as string[], '') })
        .where('contract_id', '=', subject.contractId)
        .execute();
    }
    if (subject.envelopeId)
      await tx
        .updateTable('envelopes')
        .set({ shredded_at: at.toISOString() })
        .where('id', '=', subject.envelopeId)
        .execute();
    for (const [index, file] of files.entries()) {
      await recordEvent(tx, {
        organizationId: subject.organizationId,
        envelopeId: file.envelopeId,
        actor: { type: 'system', id: null },
        action: 'document.shredded',
        at,
        details: {
          contractId: subject.contractId,
          envelopeId: file.envelopeId,
          kind: file.kind,
          name: file.name,
          sha256: file.sha256,
          method: outcomes[index],
          reason: REASON,
          rule: subject.applied,
        },
      });
    }
  });
  return files.length;
}
