import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobError, DiskBlobStore } from '../../src/adapters/blob/disk-blob-store.ts';

/** Every file under dir (recursively). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('DiskBlobStore', () => {
  let dir: string;
  let store: DiskBlobStore;
  const masterKey = new Uint8Array(randomBytes(32));
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-blobs-'));
    store = new DiskBlobStore(dir, masterKey);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('round trip of parts, written without joining them, under <dir>/ab/cd/<uuid>', async () => {
    const parts = [
      Buffer.from('%PDF-1.7\n'),
      new Uint8Array(0),
      new Uint8Array(randomBytes(200_000)),
      Buffer.from('%%EOF\n'),
    ];
    const key = await store.put(parts);
    assert.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const path = join(dir, key.slice(0, 2), key.slice(2, 4), key);
    assert.ok(statSync(path).isFile());
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(Buffer.from(await store.get(key)), Buffer.concat(parts));
    // No temporary file is left behind.
    assert.deepEqual(
      filesUnder(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
    // A single Uint8Array and an empty blob work as well.
    assert.deepEqual(Buffer.from(await store.get(await store.put(Buffer.from('one')))), Buffer.from('one'));
    assert.equal((await store.get(await store.put([]))).length, 0);
  });

  test('the bytes on disk are not the plaintext, and two puts of the same bytes differ', async () => {
    const plain = Buffer.from('契約書 — confidential terms of the contract '.repeat(100));
    const a = await store.put(plain);
    const b = await store.put(plain);
    const onDiskA = readFileSync(join(dir, a.slice(0, 2), a.slice(2, 4), a));
    const onDiskB = readFileSync(join(dir, b.slice(0, 2), b.slice(2, 4), b));
    assert.equal(onDiskA.indexOf(Buffer.from('confidential')), -1);
    assert.equal(onDiskA.indexOf(plain.subarray(0, 16)), -1);
    assert.notDeepEqual(onDiskA, onDiskB);
    assert.equal(onDiskA.length, plain.length + 77 + 16, 'header + ciphertext + tag');
  });

  test('a changed byte anywhere, a truncated file or a renamed file is detected', async () => {
    const plain = new Uint8Array(randomBytes(4096));
    const key = await store.put(plain);
    const path = join(dir, key.slice(0, 2), key.slice(2, 4), key);
    const original = readFileSync(path);
    for (const offset of [5, 20, 50, 70, 100, original.length - 30, original.length - 1]) {
      const changed = Buffer.from(original);
      changed[offset] ^= 0x01;
      writeFileSync(path, changed);
      await assert.rejects(
        store.get(key),
        (e: unknown) => e instanceof BlobError && (e.code === 'BLOB_CORRUPT' || e.code === 'BLOB_BAD_KEY'),
        `offset ${offset}`,
      );
    }
    writeFileSync(path, original.subarray(0, original.length - 1));
    await assert.rejects(store.get(key), (e: unknown) => e instanceof BlobError && e.code === 'BLOB_CORRUPT');
    // Another blob's file put under this name: the name is authenticated too.
    const other = await store.put(plain);
    writeFileSync(path, readFileSync(join(dir, other.slice(0, 2), other.slice(2, 4), other)));
    await assert.rejects(store.get(key), (e: unknown) => e instanceof BlobError);
    writeFileSync(path, original);
    assert.deepEqual(await store.get(key), plain);
  });

  test('another master key cannot read the blobs', async () => {
    const key = await store.put(Buffer.from('secret'));
    const stranger = new DiskBlobStore(dir, new Uint8Array(randomBytes(32)));
    await assert.rejects(stranger.get(key), (e: unknown) => e instanceof BlobError && e.code === 'BLOB_BAD_KEY');
  });

  test('missing blobs, keys that are not ours, and delete', async () => {
    const key = await store.put(Buffer.from('to delete'));
    await store.delete(key);
    await assert.rejects(store.get(key), (e: unknown) => e instanceof BlobError && e.code === 'BLOB_NOT_FOUND');
    await store.delete(key);
    await assert.rejects(
      store.get('../../etc/passwd'),
      (e: unknown) => e instanceof BlobError && e.code === 'BLOB_NOT_FOUND',
    );
  });
});
