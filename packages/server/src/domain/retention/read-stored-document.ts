import type { BlobStore } from '../../ports/blob-store.ts';
import { AppError } from '../app-error.ts';

/**
 * Reads a stored document; one whose key the retention job destroyed is DOCUMENT_SHREDDED (410 Gone),
 * never a server error.
 */
export async function readStoredDocument(blobs: Pick<BlobStore, 'get'>, key: string): Promise<Uint8Array> {
  try {
    return await blobs.get(key);
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'BLOB_SHREDDED')
      throw new AppError('DOCUMENT_SHREDDED', 'the document was shredded at the end of its retention period');
    throw error;
  }
}
