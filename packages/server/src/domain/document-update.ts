import type { BlobStore } from '../ports/blob-store.ts';
import type { DbOrTx } from '../ports/database.ts';

/** A document's new file, already stored as a blob, waiting to replace the current one. */
export interface DocumentUpdate {
  id: string;
  name: string;
  /** SHA-256 of the current file and of the new one. */
  before: string;
  after: string;
  oldBlob: string;
  newBlob: string;
}

/**
 * Makes each new file current, compare-and-set on the old blob: a document that another worker changed
 * meanwhile throws (`what` names the step in the message), so the whole transaction rolls back.
 */
export async function swapDocumentBlobs(tx: DbOrTx, updates: readonly DocumentUpdate[], what: string): Promise<void> {
  for (const r of updates) {
    const changed = await tx
      .updateTable('documents')
      .set({ blob_current: r.newBlob, sha256_current: r.after })
      .where('id', '=', r.id)
      .where('blob_current', '=', r.oldBlob)
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) !== 1) throw new Error(`document ${r.id} changed while it was being ${what}`);
    // The replaced file stays stored (the new one contains it as an earlier revision); retention finds it here.
    const document = await tx
      .selectFrom('documents')
      .select('envelope_id')
      .where('id', '=', r.id)
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('superseded_blobs')
      .values({
        blob_key: r.oldBlob,
        envelope_id: document.envelope_id,
        document_id: r.id,
        sha256: r.before,
        superseded_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.column('blob_key').doNothing())
      .execute();
  }
}

/** The `documents` detail of an event: each file's hash before and after. */
export function documentHashes(
  updates: readonly DocumentUpdate[],
): Array<{ id: string; name: string; sha256Before: string; sha256After: string }> {
  return updates.map((r) => ({ id: r.id, name: r.name, sha256Before: r.before, sha256After: r.after }));
}

/** Deletes the new blobs that never became current (best effort: an orphan blob harms nothing). */
export async function discardNewBlobs(
  blobs: Pick<BlobStore, 'delete'>,
  updates: readonly DocumentUpdate[],
): Promise<void> {
  await Promise.all(updates.map((r) => blobs.delete(r.newBlob).catch(() => undefined)));
}

/**
 * Runs `work`, which stores new files (pushing each onto `updates`) and returns whether its transaction
 * made them current; when it did not, or it threw, the new blobs are deleted again.
 */
export async function withDocumentUpdates(
  blobs: Pick<BlobStore, 'delete'>,
  work: (updates: DocumentUpdate[]) => Promise<boolean>,
): Promise<void> {
  const updates: DocumentUpdate[] = [];
  try {
    if (!(await work(updates))) await discardNewBlobs(blobs, updates);
  } catch (error) {
    await discardNewBlobs(blobs, updates);
    throw error;
  }
}
