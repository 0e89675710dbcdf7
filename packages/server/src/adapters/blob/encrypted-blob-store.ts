import { createCipheriv, createDecipheriv, randomBytes, randomUUID, type DecipherGCM } from 'node:crypto';
import type { BlobStore } from '../../ports/blob-store.ts';
import { deriveKey } from '../../security/server-keys.ts';
import { ObjectStoreError, type ObjectStore } from '../storage/object-store.ts';

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
  constructor(
    readonly code: 'BLOB_NOT_FOUND' | 'BLOB_CORRUPT' | 'BLOB_BAD_KEY',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BlobError';
  }
}

/** The object path of a blob key: `ab/cd/<uuid>` (two levels keep directories and listings small). */
export function blobObjectPath(key: string): string {
  // Keys are our own UUIDs; anything else (e.g. "../") never reaches the store.
  if (!KEY_PATTERN.test(key)) throw new BlobError('BLOB_NOT_FOUND', `not a blob key: ${JSON.stringify(key)}`);
  return `${key.slice(0, 2)}/${key.slice(2, 4)}/${key}`;
}

/**
 * Documents encrypted each with its own key, kept as objects of an ObjectStore (a local directory or
 * an S3 bucket). Writes stream the parts through the cipher; reads stream the object through the
 * decipher and hand out the plaintext only once the tag has authenticated it.
 */
export class EncryptedBlobStore implements BlobStore {
  readonly #wrapKey: Uint8Array;

  /** `masterKey` is the installation's master secret; the wrapping key is derived from it. */
  constructor(
    readonly objects: ObjectStore,
    masterKey: Uint8Array,
  ) {
    this.#wrapKey = deriveKey(masterKey, 'blob-key-wrap');
  }

  /** Encrypts and writes the parts (streamed, never joined) under a new key, written once. */
  async put(parts: Uint8Array | readonly Uint8Array[]): Promise<string> {
    const list: readonly Uint8Array[] = parts instanceof Uint8Array ? [parts] : parts;
    const key = randomUUID();
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
    const size = HEADER_BYTES + list.reduce((sum, part) => sum + part.length, 0) + TAG_BYTES;
    async function* body(): AsyncGenerator<Uint8Array> {
      yield header;
      for (const part of list) if (part.length > 0) yield cipher.update(part);
      yield Buffer.concat([cipher.final(), cipher.getAuthTag()]);
    }
    await this.objects.put(blobObjectPath(key), body(), size);
    return key;
  }

  /** Reads, authenticates and decrypts a blob; a changed or truncated file throws BlobError('BLOB_CORRUPT'). */
  async get(key: string): Promise<Uint8Array> {
    const path = blobObjectPath(key);
    let stream;
    try {
      stream = await this.objects.get(path);
    } catch (cause) {
      if (cause instanceof ObjectStoreError && cause.code === 'OBJECT_NOT_FOUND')
        throw new BlobError('BLOB_NOT_FOUND', `no blob ${key}`, { cause });
      throw cause;
    }
    const name = Buffer.from(key, 'latin1');
    let head: Buffer = Buffer.alloc(0);
    let decipher: DecipherGCM | undefined;
    // The last TAG_BYTES seen are held back: they are the tag, not ciphertext.
    let held: Buffer = Buffer.alloc(0);
    const plain: Buffer[] = [];
    const feed = (bytes: Buffer): void => {
      const joined = held.length === 0 ? bytes : Buffer.concat([held, bytes]);
      if (joined.length <= TAG_BYTES) {
        held = joined;
        return;
      }
      plain.push(decipher!.update(joined.subarray(0, joined.length - TAG_BYTES)));
      held = Buffer.from(joined.subarray(joined.length - TAG_BYTES));
    };
    for await (const chunk of stream) {
      let bytes: Buffer = chunk as Buffer;
      if (decipher === undefined) {
        head = Buffer.concat([head, bytes]);
        if (head.length < HEADER_BYTES) continue;
        decipher = this.#openHeader(key, name, head.subarray(0, HEADER_BYTES));
        bytes = head.subarray(HEADER_BYTES);
      }
      feed(bytes);
    }
    if (decipher === undefined || held.length < TAG_BYTES)
      throw new BlobError('BLOB_CORRUPT', `blob ${key} is truncated or not an Inkan blob`);
    try {
      decipher.setAuthTag(held);
      plain.push(decipher.final());
    } catch (cause) {
      throw new BlobError('BLOB_CORRUPT', `blob ${key} fails authentication (changed or truncated)`, { cause });
    }
    const all = Buffer.concat(plain);
    return new Uint8Array(all.buffer, all.byteOffset, all.length);
  }

  /** Checks the header, unwraps the data key and returns the decipher of the body. */
  #openHeader(key: string, name: Buffer, header: Buffer): DecipherGCM {
    if (!header.subarray(0, MAGIC.length).equals(MAGIC))
      throw new BlobError('BLOB_CORRUPT', `blob ${key} is truncated or not an Inkan blob`);
    if (header[MAGIC.length] !== VERSION)
      throw new BlobError('BLOB_CORRUPT', `blob ${key} has unknown format version ${header[MAGIC.length]}`);
    let offset = MAGIC.length + 1;
    const wrapIv = header.subarray(offset, (offset += IV_BYTES));
    const wrappedKey = header.subarray(offset, (offset += KEY_BYTES));
    const wrapTag = header.subarray(offset, (offset += TAG_BYTES));
    const dataIv = header.subarray(offset, (offset += IV_BYTES));
    let dataKey: Buffer;
    try {
      const unwrap = createDecipheriv('aes-256-gcm', this.#wrapKey, wrapIv);
      unwrap.setAAD(Buffer.concat([header.subarray(0, MAGIC.length + 1 + IV_BYTES), name]));
      unwrap.setAuthTag(wrapTag);
      dataKey = Buffer.concat([unwrap.update(wrappedKey), unwrap.final()]);
    } catch (cause) {
      throw new BlobError(
        'BLOB_BAD_KEY',
        `blob ${key}: the data key does not unwrap (wrong master key or tampered header)`,
        { cause },
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', dataKey, dataIv);
    decipher.setAAD(Buffer.concat([header, name]));
    return decipher;
  }

  /** Deletes a blob; deleting one that is already gone is not an error. */
  async delete(key: string): Promise<void> {
    await this.objects.delete(blobObjectPath(key));
  }
}
