import { createCipheriv, createDecipheriv, randomBytes, randomUUID, type DecipherGCM } from 'node:crypto';
import type { BlobStore, ShredOutcome } from '../../ports/blob-store.ts';
import { deriveKey } from '../../security/server-keys.ts';
import { dialectOf } from '../db/migrate.ts';
import type { DocumentKeyring } from '../keys/document-keyring.ts';
import { ObjectStoreError, type ObjectStore } from '../storage/object-store.ts';
import { BlobError } from './blob-error.ts';

export { BlobError } from './blob-error.ts';

/*
 * File format version 2 (since migration 020), 33 bytes of header:
 *   "INKB" | version (2) | data key id (16, a UUID) | data IV (12) | ciphertext … | data tag (16)
 * Each blob has its own random AES-256-GCM data key, kept in the database (document_keys) wrapped
 * under a key-encryption key (DocumentKeyring): destroying the row shreds the blob; rotating the KEK
 * rewrites rows, never blobs. The GCM tag authenticates the header and the blob's name.
 *
 * Version 1 (before migration 020; still read), 77 bytes of header:
 *   "INKB" | version (1) | wrap IV (12) | wrapped data key (32) | wrap tag (16) | data IV (12)
 *   | ciphertext … | data tag (16)
 * The data key is wrapped in the header itself, with AES-256-GCM under a key derived from the master
 * secret. Both GCM operations authenticate the header and the blob's name, so a file moved to another
 * name, a changed byte anywhere, or a truncated file fails to decrypt.
 */
const MAGIC = Buffer.from('INKB', 'latin1');
const IV_BYTES = 12;
const KEY_BYTES = 32;
const TAG_BYTES = 16;
const V1_HEADER_BYTES = MAGIC.length + 1 + IV_BYTES + KEY_BYTES + TAG_BYTES + IV_BYTES;
const KEY_ID_BYTES = 16;
const V2_HEADER_BYTES = MAGIC.length + 1 + KEY_ID_BYTES + IV_BYTES;
const KEY_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

function uuidOf(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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
 * decipher and hand out the plaintext only once the tag has authenticated it. With a keyring, new blobs
 * are format v2 (key in the database); without one (tests of older installations) format v1.
 */
export class EncryptedBlobStore implements BlobStore {
  readonly #wrapKey: Uint8Array;
  readonly #keyring: DocumentKeyring | undefined;

  /** `masterKey` is the installation's master secret (v1 blobs' wrapping key is derived from it). */
  constructor(
    readonly objects: ObjectStore,
    masterKey: Uint8Array,
    keyring?: DocumentKeyring,
  ) {
    this.#wrapKey = deriveKey(masterKey, 'blob-key-wrap');
    this.#keyring = keyring;
  }

  /** Encrypts and writes the parts (streamed, never joined) under a new key, written once. */
  async put(parts: Uint8Array | readonly Uint8Array[]): Promise<string> {
    const list: readonly Uint8Array[] = parts instanceof Uint8Array ? [parts] : parts;
    const key = randomUUID();
    const dataIv = randomBytes(IV_BYTES);
    let dataKey: Buffer;
    let header: Buffer;
    if (this.#keyring) {
      // The key row commits before the object is written: no blob without its key.
      const created = await this.#keyring.create(key);
      dataKey = created.dataKey;
      header = Buffer.concat([MAGIC, Buffer.of(2), uuidBytes(created.keyId), dataIv]);
    } else {
      dataKey = randomBytes(KEY_BYTES);
      const wrapIv = randomBytes(IV_BYTES);
      const prefix = Buffer.concat([MAGIC, Buffer.of(1), wrapIv]);
      const wrap = createCipheriv('aes-256-gcm', this.#wrapKey, wrapIv);
      wrap.setAAD(Buffer.concat([prefix, Buffer.from(key, 'latin1')]));
      const wrappedKey = Buffer.concat([wrap.update(dataKey), wrap.final()]);
      header = Buffer.concat([prefix, wrappedKey, wrap.getAuthTag(), dataIv]);
    }
    const cipher = createCipheriv('aes-256-gcm', dataKey, dataIv);
    cipher.setAAD(Buffer.concat([header, Buffer.from(key, 'latin1')]));
    const size = header.length + list.reduce((sum, part) => sum + part.length, 0) + TAG_BYTES;
    async function* body(): AsyncGenerator<Uint8Array> {
      yield header;
      for (const part of list) if (part.length > 0) yield cipher.update(part);
      yield Buffer.concat([cipher.final(), cipher.getAuthTag()]);
    }
    await this.objects.put(blobObjectPath(key), body(), size);
    return key;
  }

  /**
   * Reads, authenticates and decrypts a blob; a changed or truncated file throws BlobError('BLOB_CORRUPT'),
   * a shredded one BlobError('BLOB_SHREDDED').
   */
  async get(key: string): Promise<Uint8Array> {
    const path = blobObjectPath(key);
    let stream;
    try {
      stream = await this.objects.get(path);
    } catch (cause) {
      if (cause instanceof ObjectStoreError && cause.code === 'OBJECT_NOT_FOUND') {
        // A blob of before migration 020 is shredded by deleting it; its tombstone key row says so.
        if (this.#keyring && (await this.#keyring.stateOf(key)) === 'destroyed')
          throw new BlobError('BLOB_SHREDDED', `blob ${key} was shredded`, { cause });
        throw new BlobError('BLOB_NOT_FOUND', `no blob ${key}`, { cause });
      }
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
        if (head.length <= MAGIC.length) continue;
        const headerBytes = this.#headerLength(key, head);
        if (head.length < headerBytes) continue;
        decipher = await this.#openHeader(key, name, head.subarray(0, headerBytes));
        bytes = head.subarray(headerBytes);
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

  #headerLength(key: string, head: Buffer): number {
    if (!head.subarray(0, MAGIC.length).equals(MAGIC))
      throw new BlobError('BLOB_CORRUPT', `blob ${key} is truncated or not an Inkan blob`);
    const version = head[MAGIC.length];
    if (version === 1) return V1_HEADER_BYTES;
    if (version === 2) return V2_HEADER_BYTES;
    throw new BlobError('BLOB_CORRUPT', `blob ${key} has unknown format version ${version}`);
  }

  /** Checks the header, gets the data key (v2: from the keyring; v1: unwrapped from the header) and returns the decipher of the body. */
  async #openHeader(key: string, name: Buffer, header: Buffer): Promise<DecipherGCM> {
    let offset = MAGIC.length + 1;
    let dataKey: Buffer;
    let dataIv: Buffer;
    if (header[MAGIC.length] === 2) {
      const keyId = uuidOf(header.subarray(offset, (offset += KEY_ID_BYTES)));
      dataIv = header.subarray(offset, (offset += IV_BYTES));
      if (!this.#keyring)
        throw new BlobError(
          'BLOB_BAD_KEY',
          `blob ${key} is format v2: its data key is in the database (no keyring here)`,
        );
      dataKey = await this.#keyring.open(keyId, key);
    } else {
      const wrapIv = header.subarray(offset, (offset += IV_BYTES));
      const wrappedKey = header.subarray(offset, (offset += KEY_BYTES));
      const wrapTag = header.subarray(offset, (offset += TAG_BYTES));
      dataIv = header.subarray(offset, (offset += IV_BYTES));
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
    }
    const decipher = createDecipheriv('aes-256-gcm', dataKey, dataIv);
    decipher.setAAD(Buffer.concat([header, name]));
    return decipher;
  }

  /** Deletes a blob and its data key; deleting one that is already gone is not an error. */
  async delete(key: string): Promise<void> {
    await this.objects.delete(blobObjectPath(key));
    await this.#keyring?.forget(key);
  }

  /**
   * Crypto-shredding: a v2 blob's data key is destroyed (the blob stays, unreadable by anyone); a v1
   * blob, whose key is in its own header, can only be deleted.
   */
  async shred(key: string, reason: string): Promise<ShredOutcome> {
    const path = blobObjectPath(key);
    const state = this.#keyring ? await this.#keyring.stateOf(key) : 'none';
    if (state === 'destroyed') return 'already-shredded';
    if (state === 'live') {
      await this.#keyring!.destroy(key, reason);
      return 'key-destroyed';
    }
    await this.objects.delete(path);
    await this.#keyring?.recordDeleted(key, reason);
    return 'blob-deleted';
  }

  /** Purges destroyed keys from the database files (see DocumentKeyring.purgeDestroyed). */
  async purgeShredded(): Promise<void> {
    if (this.#keyring) await this.#keyring.purgeDestroyed(dialectOf(this.#keyring.db));
  }
}
