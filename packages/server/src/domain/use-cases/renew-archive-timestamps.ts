import {
  addTimestampValidationData,
  hashStrength,
  newestArchiveTimestamp,
  renewPdf,
  type ArchiveTimestamp,
} from '@inkan/core';
import type { Selectable } from 'kysely';
import type { Schema } from '../../ports/database.ts';
import { newId } from '../../security/tokens.ts';
import { sha256Hex } from '../hashing.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { SigningDomainContext } from './apply-recipient-signature.ts';
import { certificateFileName } from './get-completion-certificate.ts';

type ArchiveVersion = Selectable<Schema['archive_versions']>;

/**
 * Files per batch, and batches per daily run: a run is bounded (it holds one job worker thread), the next
 * day's takes the rest, soonest due first. Renewals: up to 2,000 a day (≈ 730,000 a year, within a 1-year
 * margin even when one TSA certificate sealed them all); recording new files (a read, no TSA): 10,000.
 */
const BATCH = 100;
const MAX_BATCHES = 20;
const MAX_RECORD_BATCHES = 100;

/** The UTC day (YYYY-MM-DD) of an instant: the renewal runs once per UTC day. */
export function renewalDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Queues the renewal run of the day of `now` (due at once; one per day by its dedupe key and its claim). */
export async function scheduleArchiveRenewal(ctx: Pick<SigningDomainContext, 'db' | 'jobs'>, now: Date): Promise<void> {
  const day = renewalDay(now);
  await ctx.jobs.enqueue(ctx.db, 'archive.renewal', { day }, { dedupeKey: `archive-renewal:${day}`, runAt: now });
}

/** Why a version is due for renewal now, or null when it is not. */
export function renewalReason(
  version: Pick<ArchiveVersion, 'tsa_expires_at' | 'timestamp_hash'>,
  now: Date,
  policy: { marginMs: number; minimumHash: string },
): 'tsa-expiry' | 'weak-hash' | null {
  if (version.tsa_expires_at === null) return null;
  if (version.timestamp_hash === null || hashStrength(version.timestamp_hash) < hashStrength(policy.minimumHash))
    return 'weak-hash';
  return Date.parse(version.tsa_expires_at) - policy.marginMs <= now.getTime() ? 'tsa-expiry' : null;
}

/** Hash names weaker than `minimum` (what the due query matches), among those the core knows. */
function weakerHashes(minimum: string): string[] {
  return ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'unknown'].filter(
    (name) => hashStrength(name) < hashStrength(minimum),
  );
}

/** The archive columns of a file's newest document timestamp (all null when it has none or cannot be read). */
function timestampColumns(info: ArchiveTimestamp | null) {
  return {
    timestamp_at: info?.time.toISOString() ?? null,
    tsa_subject: info?.tsaSubject ?? null,
    tsa_expires_at: info?.tsaNotAfter.toISOString() ?? null,
    timestamp_hash: info?.hash ?? null,
  };
}

function inspect(bytes: Uint8Array): ArchiveTimestamp | null {
  try {
    return newestArchiveTimestamp(bytes);
  } catch {
    // A file without a readable document timestamp cannot be renewed: recorded, never due.
    return null;
  }
}

/**
 * Job `archive.renewal` (daily): LTA renewal, free and automatic. First queues tomorrow's run. Then
 * records version 1 of every stored file not yet known (documents of completed envelopes and their
 * certificates of completion; the register's own copies: personal 保管 copies and imports), and renews every current version whose newest document timestamp's TSA
 * certificate expires within INKAN_RENEWAL_MARGIN, or whose hash is weaker than INKAN_RENEWAL_MIN_HASH:
 * validation data and a new document timestamp (renewPdf), stored as a new blob, made current in one
 * transaction with its `document.archive-renewed` event. A file that fails is left for tomorrow while
 * the others go on; the run then throws so that the job is retried and, at the end, reported. A file
 * refused because the TSA's own certificate ends too soon also queues `mail.renewal-refused` to its
 * organisation's administrators (one per organisation and day).
 */
export async function renewArchiveTimestamps(
  ctx: SigningDomainContext,
  input: { day: string },
): Promise<{ recorded: number; renewed: number }> {
  const tomorrow = new Date(Date.parse(`${input.day}T00:00:00Z`) + 86_400_000);
  await ctx.jobs.enqueue(
    ctx.db,
    'archive.renewal',
    { day: renewalDay(tomorrow) },
    { dedupeKey: `archive-renewal:${renewalDay(tomorrow)}`, runAt: tomorrow },
  );
  const recorded = await recordNewArchives(ctx);
  const now = ctx.clock.now();
  const policy = ctx.config.renewal;
  const dueBefore = new Date(now.getTime() + policy.marginMs).toISOString();
  const failures: string[] = [];
  const skipped = new Set<string>();
  const refused = new Map<string, { files: number; tsaNotAfter: Date }>();
  let renewed = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const due = await ctx.db
      .selectFrom('archive_versions')
      .selectAll()
      .where('current', '=', 1)
      .where('tsa_expires_at', 'is not', null)
      // Documents shredded at the end of their retention period are not renewed (their keys are gone).
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('envelopes')
              .select('envelopes.id')
              .whereRef('envelopes.id', '=', 'archive_versions.envelope_id')
              .where('envelopes.shredded_at', 'is not', null),
          ),
        ),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('contracts')
              .select('contracts.id')
              .whereRef('contracts.id', '=', 'archive_versions.contract_id')
              .where('contracts.shredded_at', 'is not', null),
          ),
        ),
      )
      .where((eb) =>
        eb.or([eb('tsa_expires_at', '<=', dueBefore), eb('timestamp_hash', 'in', weakerHashes(policy.minimumHash))]),
      )
      .orderBy('tsa_expires_at')
      .orderBy('id')
      .limit(BATCH + skipped.size)
      .execute();
    const todo = due.filter((v) => !skipped.has(v.id));
    for (const version of todo) {
      const reason = renewalReason(version, now, policy);
      if (reason === null) continue;
      try {
        if (await renewArchiveVersion(ctx, version, reason)) renewed++;
      } catch (error) {
        skipped.add(version.id);
        failures.push(`${version.subject_kind} ${version.subject_id}: ${(error as Error).message}`);
        // An account's own copies: the failing job tells the operator (there are no administrators to mail).
        if (error instanceof RenewalRefused && error.tsaNotAfter && version.organization_id !== null) {
          const seen = refused.get(version.organization_id);
          refused.set(version.organization_id, { files: (seen?.files ?? 0) + 1, tsaNotAfter: error.tsaNotAfter });
        }
      }
    }
    if (todo.length < BATCH) break;
  }
  // The administrators hear of a refusal (the job failing tells only the operator, after its retries).
  for (const [organizationId, { files, tsaNotAfter }] of refused)
    await ctx.jobs.enqueue(
      ctx.db,
      'mail.renewal-refused',
      { organizationId, day: input.day, tsaNotAfter: tsaNotAfter.toISOString(), files },
      { dedupeKey: `renewal-refused:${organizationId}:${input.day}` },
    );
  if (failures.length > 0)
    throw new Error(`${failures.length} archive timestamp(s) could not be renewed: ${failures.slice(0, 5).join('; ')}`);
  return { recorded, renewed };
}

/** The archive subject kind of a register entry's own copy, by the kind of its document. */
const COPY_KINDS = {
  signed: 'claimed-document',
  certificate: 'claimed-certificate',
  imported: 'imported',
} as const;

/**
 * Records version 1 of stored files that have none yet; returns how many. The sender's sealed files
 * (documents of completed envelopes, certificates of completion) and the register's own copies: 保管
 * copies in a personal register and imports (organisation or personal), owned by the entry's owner.
 * A copy's version names its entry, not the envelope: it outlives whatever the sender does.
 */
async function recordNewArchives(ctx: SigningDomainContext): Promise<number> {
  let recorded = 0;
  for (let batch = 0; batch < MAX_RECORD_BATCHES; batch++) {
    const documents = await ctx.db
      .selectFrom('documents')
      .innerJoin('envelopes', 'envelopes.id', 'documents.envelope_id')
      .select([
        'documents.id as id',
        'documents.name as name',
        'documents.blob_current as blob',
        'documents.sha256_current as sha256',
        'envelopes.id as envelope_id',
        'envelopes.organization_id as organization_id',
      ])
      .where('envelopes.status', '=', 'completed')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('archive_versions').select('id').whereRef('subject_id', '=', 'documents.id'))),
      )
      .limit(BATCH)
      .execute();
    const certificates = await ctx.db
      .selectFrom('envelopes')
      .select([
        'id',
        'id as envelope_id',
        'organization_id',
        'certificate_id',
        'certificate_blob as blob',
        'certificate_sha256 as sha256',
      ])
      .where('status', '=', 'completed')
      .where('certificate_blob', 'is not', null)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('archive_versions').select('id').whereRef('subject_id', '=', 'envelopes.id'))),
      )
      .limit(BATCH)
      .execute();
    const copies = await ctx.db
      .selectFrom('contract_documents as d')
      .innerJoin('contracts as c', 'c.id', 'd.contract_id')
      .select([
        'd.id as id',
        'd.kind as document_kind',
        'd.name as name',
        'd.blob as blob',
        'd.sha256 as sha256',
        'c.id as contract_id',
        'c.organization_id as organization_id',
        'c.owner_user_id as owner_user_id',
      ])
      .where('d.owned', '=', 1)
      .where('c.shredded_at', 'is', null)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('archive_versions').select('id').whereRef('subject_id', '=', 'd.id'))),
      )
      .limit(BATCH)
      .execute();
    const subjects = [
      ...documents.map((d) => ({ ...d, kind: 'document' as const, owner_user_id: null, contract_id: null })),
      ...certificates.map((c) => ({
        ...c,
        name: certificateFileName(c.certificate_id),
        kind: 'certificate' as const,
        blob: c.blob as string,
        sha256: c.sha256 as string,
        owner_user_id: null,
        contract_id: null,
      })),
      ...copies.map(({ document_kind, ...c }) => ({ ...c, kind: COPY_KINDS[document_kind], envelope_id: null })),
    ];
    for (const subject of subjects) {
      const bytes = await ctx.blobs.get(subject.blob);
      const result = await ctx.db
        .insertInto('archive_versions')
        .values({
          id: newId(),
          organization_id: subject.organization_id,
          owner_user_id: subject.owner_user_id,
          envelope_id: subject.envelope_id,
          contract_id: subject.contract_id,
          subject_id: subject.id,
          subject_kind: subject.kind,
          name: subject.name,
          version: 1,
          blob: subject.blob,
          size: bytes.length,
          sha256: subject.sha256,
          sha256_original: subject.sha256,
          sha256_previous: null,
          ...timestampColumns(inspect(bytes)),
          reason: 'sealed',
          current: 1,
          recorded_at: ctx.clock.now().toISOString(),
          renewed_at: null,
        })
        .onConflict((oc) => oc.columns(['subject_id', 'version']).doNothing())
        .executeTakeFirst();
      recorded += Number(result.numInsertedOrUpdatedRows ?? 0n);
    }
    if (documents.length < BATCH && certificates.length < BATCH && copies.length < BATCH) break;
  }
  return recorded;
}

/** A renewal refused because the TSA's new timestamp would itself be due (its certificate ends too soon). */
class RenewalRefused extends Error {
  constructor(
    readonly tsaNotAfter: Date | null,
    hash: string | null,
  ) {
    super(
      `the TSA's new timestamp would itself be due (certificate valid until ${tsaNotAfter?.toISOString() ?? '?'}, hash ${hash ?? '?'}): the TSA needs a newer certificate`,
    );
  }
}

/**
 * Renews one current version: true when this call made the new version current, false when another
 * worker renewed it meanwhile (its blob is then deleted again).
 */
async function renewArchiveVersion(
  ctx: SigningDomainContext,
  version: ArchiveVersion,
  reason: 'tsa-expiry' | 'weak-hash',
): Promise<boolean> {
  // Validation data of everything so far and a new document timestamp, then that timestamp's own
  // validation data: the file proves itself valid until the next renewal without asking anyone.
  const renewed = await addTimestampValidationData(
    await renewPdf(await ctx.blobs.get(version.blob), ctx.signing.sealOptions),
    ctx.signing.sealOptions,
  );
  const info = newestArchiveTimestamp(renewed);
  const now = ctx.clock.now();
  const policy = ctx.config.renewal;
  // A renewal by a TSA whose own certificate is as close to its end would only be renewed again
  // tomorrow: refuse it, so that the failure tells the operator to give the TSA a new certificate.
  if (
    !info ||
    renewalReason({ tsa_expires_at: info.tsaNotAfter.toISOString(), timestamp_hash: info.hash }, now, policy)
  )
    throw new RenewalRefused(info?.tsaNotAfter ?? null, info?.hash ?? null);
  const sha256 = sha256Hex(renewed);
  const blob = await ctx.blobs.put(renewed);
  let committed = false;
  try {
    committed = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const replaced = await tx
        .updateTable('archive_versions')
        .set({ current: 0 })
        .where('id', '=', version.id)
        .where('current', '=', 1)
        .executeTakeFirst();
      if (Number(replaced.numUpdatedRows) !== 1) return false;
      await tx
        .insertInto('archive_versions')
        .values({
          id: newId(),
          organization_id: version.organization_id,
          owner_user_id: version.owner_user_id,
          envelope_id: version.envelope_id,
          contract_id: version.contract_id,
          subject_id: version.subject_id,
          subject_kind: version.subject_kind,
          name: version.name,
          version: version.version + 1,
          blob,
          size: renewed.length,
          sha256,
          sha256_original: version.sha256_original,
          sha256_previous: version.sha256,
          ...timestampColumns(info),
          reason,
          current: 1,
          recorded_at: now.toISOString(),
          renewed_at: now.toISOString(),
        })
        .execute();
      const swapped =
        version.subject_kind === 'document'
          ? await tx
              .updateTable('documents')
              .set({ blob_current: blob, sha256_current: sha256 })
              .where('id', '=', version.subject_id)
              .where('blob_current', '=', version.blob)
              .executeTakeFirst()
          : version.subject_kind === 'certificate'
            ? await tx
                .updateTable('envelopes')
                .set({ certificate_blob: blob, certificate_sha256: sha256 })
                .where('id', '=', version.subject_id)
                .where('certificate_blob', '=', version.blob)
                .executeTakeFirst()
            : // A register entry's own copy: the entry serves the new version (downloads, exports).
              await tx
                .updateTable('contract_documents')
                .set({ blob, sha256, size: renewed.length })
                .where('id', '=', version.subject_id)
                .where('blob', '=', version.blob)
                .where('owned', '=', 1)
                .executeTakeFirst();
      if (Number(swapped.numUpdatedRows) !== 1)
        throw new Error(
          `${version.subject_kind} ${version.subject_id} changed while its archive timestamp was renewed`,
        );
      // The organisation's entries point at the envelope's blob (not their own copy): they follow.
      if (version.contract_id === null)
        await tx
          .updateTable('contract_documents')
          .set({ blob, sha256, size: renewed.length })
          .where('blob', '=', version.blob)
          .where('owned', '=', 0)
          .execute();
      await recordEvent(tx, {
        organizationId: version.organization_id,
        envelopeId: version.envelope_id,
        actor: { type: 'system', id: null },
        action: 'document.archive-renewed',
        at: now,
        details: {
          ...(version.contract_id === null ? {} : { contractId: version.contract_id }),
          ...(version.owner_user_id === null ? {} : { accountId: version.owner_user_id }),
          subjectKind: version.subject_kind,
          subjectId: version.subject_id,
          name: version.name,
          version: version.version + 1,
          reason,
          sha256Original: version.sha256_original,
          sha256Before: version.sha256,
          sha256After: sha256,
          tsaExpiresAtBefore: version.tsa_expires_at,
          tsaExpiresAtAfter: info.tsaNotAfter.toISOString(),
        },
      });
      return true;
    });
  } finally {
    if (!committed) await ctx.blobs.delete(blob).catch(() => undefined);
  }
  return committed;
}
