/**
 * The blob store on a real S3-compatible server (s3rver): encrypted round trip of a multi-part
 * document, objects written once, tampering and a wrong master key detected, missing blobs named.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BlobError, blobObjectPath, EncryptedBlobStore } from '../../src/adapters/blob/encrypted-blob-store.ts';
import { ObjectStoreError, readSmallObject, S3ObjectStore } from '../../src/adapters/storage/object-store.ts';
import { loadConfig } from '../../src/config/config.ts';
import { startS3Server, type TestS3Server } from '../helpers/s3-server.ts';

describe('EncryptedBlobStore on S3 (s3rver)', () => {
  let s3: TestS3Server;
  let objects: S3ObjectStore;
  const masterKey = new Uint8Array(randomBytes(32));

  before(async () => {
    s3 = await startS3Server(['documents']);
    const config = loadConfig({ INKAN_BLOB_URL: 's3://documents/tenant-a', ...s3.env });
    assert.equal(config.s3.forcePathStyle, true);
    objects = new S3ObjectStore(config.blobUrl!, config.s3);
  });
  after(async () => {
    objects.close();
    await s3.close();
  });

  it('stores parts encrypted and reads them back (3 MiB, streamed through the decipher)', async () => {
    const store = new EncryptedBlobStore(objects, masterKey);
    const parts = [randomBytes(1024 * 1024), randomBytes(2 * 1024 * 1024 + 17), Buffer.from('%%EOF\n')];
    const key = await store.put(parts);
    assert.deepEqual(Buffer.from(await store.get(key)), Buffer.concat(parts));
    const stored = await readSmallObject(objects, blobObjectPath(key), 8 * 1024 * 1024);
    assert.equal(stored.length, 77 + Buffer.concat(parts).length + 16);
    assert.equal(stored.indexOf(parts[0].subarray(0, 64)), -1, 'the plaintext is not in the bucket');
  });

  it('writes an object once: a second put of the same name is refused and the first stays', async () => {
    await objects.put('once/object', Buffer.from('first'), 5);
    await assert.rejects(
      objects.put('once/object', Buffer.from('other'), 5),
      (e: unknown) => e instanceof ObjectStoreError && e.code === 'OBJECT_EXISTS',
    );
    assert.equal((await readSmallObject(objects, 'once/object', 100)).toString(), 'first');
  });

  it('detects a changed object, a wrong master key and a missing blob', async () => {
    const store = new EncryptedBlobStore(objects, masterKey);
    const key = await store.put(Buffer.from('契約書の本文'));
    const path = blobObjectPath(key);
    const bytes = await readSmallObject(objects, path, 1024);
    const stranger = new EncryptedBlobStore(objects, new Uint8Array(randomBytes(32)));
    await assert.rejects(stranger.get(key), (e: unknown) => e instanceof BlobError && e.code === 'BLOB_BAD_KEY');
    bytes[bytes.length - 20] ^= 1;
    await objects.delete(path);
    await objects.put(path, bytes, bytes.length);
    await assert.rejects(store.get(key), (e: unknown) => e instanceof BlobError && e.code === 'BLOB_CORRUPT');
    await assert.rejects(
      store.get('00000000-0000-4000-8000-000000000000'),
      (e: unknown) => e instanceof BlobError && e.code === 'BLOB_NOT_FOUND',
    );
    await assert.rejects(
      store.get('../../etc/passwd'),
      (e: unknown) => e instanceof BlobError && e.code === 'BLOB_NOT_FOUND',
    );
  });

  it('refuses malformed INKAN_BLOB_URL and INKAN_BACKUP_SCHEDULE values', () => {
    assert.throws(() => loadConfig({ INKAN_BLOB_URL: 'http://bucket/x' }), /INKAN_BLOB_URL/);
    assert.throws(() => loadConfig({ INKAN_BACKUP_SCHEDULE: '25:00' }), /INKAN_BACKUP_SCHEDULE/);
    assert.throws(() => loadConfig({ INKAN_TIME_ZONE: 'Mars/Olympus' }), /INKAN_TIME_ZONE/);
    assert.equal(loadConfig({ INKAN_BACKUP_SCHEDULE: 'off' }).backup.schedule, null);
  });
});
