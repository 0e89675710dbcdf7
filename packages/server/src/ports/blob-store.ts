/** Where document bytes live (local disk by default, S3-compatible at scale). Stored encrypted. */
export interface BlobStore {
  /** Stores bytes under a new key and returns it. Parts are written without joining them. */
  put(parts: Uint8Array | readonly Uint8Array[]): Promise<string>;
  get(key: string): Promise<Uint8Array>;
  delete(key: string): Promise<void>;
}
