import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BlobStore } from '../../ports/blob-store.ts';
import { deriveKey } from '../../security/server-keys.ts';

/*
 * File format (version 1), all fields fixed-size so the header is 77 bytes:
 *   "INKB" | version (1) | wrap IV (12) | wrapped data key (32) | wrap tag (16) | data IV (12)
 *   | ciphertext … | data tag (16)
 * Each blob has its own random AES-256-GCM data key, wrapped with AES-256-GCM under a key derived
 * from the master secret. Both GCM operations authenticate the header and the blob's name, so a file
 * moved to another name, a changed byte anywhere, or a truncated file fails to decrypt.
 */
const MAGIC = Buffer.from('INKB', 'latin1');
const VERSION = 1;
const IV_BYTES = 12;
const KEY_BYTES = 32;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + 1 + IV_BYTES + KEY_BYTES + TAG_BYTES + IV_BYTES;
const KEY_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A blob that is missing or fails authentication (tampered, truncated, wrong master key). */
export class BlobError extends Error {
  constructor(readonly code: 'BLOB_NOT_FOUND' | 'BLOB_CORRUPT' | 'BLOB_BAD_KEY', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlobError';
  }
}

/** Documents on the local disk under `<dir>/ab/cd/<uuid>`, each encrypted with its own key. */
export class DiskBlobStore implements BlobStore {
  readonly #wrapKey: Uint8Array;

  /** `masterKey` is the installation's master secret; the wrapping key is derived from it. */
  constructor(
    readonly dir: string,
    masterKey: Uint8Array,
  ) {
    this.#wrapKey = deriveKey(masterKey, 'blob-key-wrap');
  }

  /** Encrypts and writes the parts (streamed, never joined) to a temporary file, then renames it into place. */
  async put(parts: Uint8Array | readonly Uint8Array[]): Promise<string> {
    const list: readonly Uint8Array[] = parts instanceof Uint8Array ? [parts] : parts;
    const key = randomUUID();
    const path = this.#pathOf(key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });

    const dataKey = randomBytes(KEY_BYTES);
    const wrapIv = randomBytes(IV_BYTES);
    const dataIv = randomBytes(IV_BYTES);
    const prefix = Buffer.concat([MAGIC, Buffer.of(VERSION), wrapIv]);
    const wrap = createCipheriv('aes-256-gcm', this.#wrapKey, wrapIv);
    wrap.setAAD(Buffer.concat([prefix, Buffer.from(key, 'latin1')]));
    const wrappedKey = Buffer.concat([wrap.update(dataKey), wrap.final()]);
    const header = Buffer.concat([prefix, wrappedKey, wrap.getAuthTag(), dataIv]);

    const cipher = createCipheriv('aes-256-gcm', dataKey, dataIv);
    cipher.setAAD(Buffer.concat([header, Buffer.from(key, 'latin1')]));
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.write(header);
      for (const part of list) {
        if (part.length > 0) await file.write(cipher.update(part));
      }
      await file.write(Buffer.concat([cipher.final(), cipher.getAuthTag()]));
      // The row that names this blob is committed after put returns: the bytes must be durable first.
      await file.sync();
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
    await file.close();
    await rename(temporary, path);
    return key;
  }

  /** Reads, authenticates and decrypts a blob; a changed or truncated file throws BlobError('BLOB_CORRUPT'). */
  async get(key: string): Promise<Uint8Array> {
    const path = this.#pathOf(key);
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobError('BLOB_NOT_FOUND', `no blob ${key}`, { cause });
      throw cause;
    }
    if (data.length < HEADER_BYTES + TAG_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new BlobError('BLOB_CORRUPT', `blob ${key} is truncated or not an Inkan blob`);
    }
    if (data[MAGIC.length] !== VERSION) throw new BlobError('BLOB_CORRUPT', `blob ${key} has unknown format version ${data[MAGIC.length]}`);
    let offset = MAGIC.length + 1;
    const wrapIv = data.subarray(offset, (offset += IV_BYTES));
    const wrappedKey = data.subarray(offset, (offset += KEY_BYTES));
    const wrapTag = data.subarray(offset, (offset += TAG_BYTES));
    const dataIv = data.subarray(offset, (offset += IV_BYTES));
    const header = data.subarray(0, HEADER_BYTES);
    const name = Buffer.from(key, 'latin1');

    let dataKey: Buffer;
    try {
      const unwrap = createDecipheriv('aes-256-gcm', this.#wrapKey, wrapIv);
      unwrap.setAAD(Buffer.concat([data.subarray(0, MAGIC.length + 1 + IV_BYTES), name]));
      unwrap.setAuthTag(wrapTag);
      dataKey = Buffer.concat([unwrap.update(wrappedKey), unwrap.final()]);
    } catch (cause) {
      throw new BlobError('BLOB_BAD_KEY', `blob ${key}: the data key does not unwrap (wrong master key or tampered header)`, { cause });
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', dataKey, dataIv);
      decipher.setAAD(Buffer.concat([header, name]));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(HEADER_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return new Uint8Array(plain.buffer, plain.byteOffset, plain.length);
    } catch (cause) {
      throw new BlobError('BLOB_CORRUPT', `blob ${key} fails authentication (changed or truncated)`, { cause });
    }
  }

  /** Deletes a blob; deleting one that is already gone is not an error. */
  async delete(key: string): Promise<void> {
    try {
      await unlink(this.#pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  #pathOf(key: string): string {
    // Keys are our own UUIDs; anything else (e.g. "../") never reaches the file system.
    if (!KEY_PATTERN.test(key)) throw new BlobError('BLOB_NOT_FOUND', `not a blob key: ${JSON.stringify(key)}`);
    return join(this.dir, key.slice(0, 2), key.slice(2, 4), key);
  }
}
