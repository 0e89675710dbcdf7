/** What shredding a blob did: its data key destroyed (v2), the blob itself deleted (v1), or nothing more to do. */
export type ShredOutcome = 'key-destroyed' | 'blob-deleted' | 'already-shredded';

/** Where document bytes live (local disk by default, S3-compatible at scale). Stored encrypted. */
export interface BlobStore {
  /** Stores bytes under a new key and returns it. Parts are written without joining them. */
  put(parts: Uint8Array | readonly Uint8Array[]): Promise<string>;
  get(key: string): Promise<Uint8Array>;
  delete(key: string): Promise<void>;
  /** Makes a blob unreadable for good (crypto-shredding: its data key is destroyed). */
  shred(key: string, reason: string): Promise<ShredOutcome>;
  /** After shredding: leaves no copy of the destroyed keys in the storage's free space or logs (best effort). */
  purgeShredded(): Promise<void>;
}
