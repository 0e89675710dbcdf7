import type { DocumentKeyring } from '../keys/document-keyring.ts';
import { DiskObjectStore } from '../storage/object-store.ts';
import { EncryptedBlobStore } from './encrypted-blob-store.ts';

export { BlobError } from './encrypted-blob-store.ts';

/** Documents on the local disk under `<dir>/ab/cd/<uuid>`, each encrypted with its own key. */
export class DiskBlobStore extends EncryptedBlobStore {
  constructor(
    readonly dir: string,
    masterKey: Uint8Array,
    keyring?: DocumentKeyring,
  ) {
    super(new DiskObjectStore(dir), masterKey, keyring);
  }
}
