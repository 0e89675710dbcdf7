/*
 * Named byte objects on a local disk or in an S3-compatible bucket: what the blob store keeps its
 * encrypted files in and what backups are written to. Objects are written once (never overwritten)
 * and read as streams.
 */
import { randomBytes } from 'node:crypto';

import { link, mkdir, open, readdir, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

/** Bytes to write: one buffer or a stream of chunks (whose total `size` must be given for S3). */
export type ObjectBody = Uint8Array | AsyncIterable<Uint8Array>;

/** A missing object, or one that exists where a new one was to be written. */
export class ObjectStoreError extends Error {
  constructor(
    readonly code: 'OBJECT_NOT_FOUND' | 'OBJECT_EXISTS' | 'OBJECT_BAD_PATH',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ObjectStoreError';
  }
}

/** A flat namespace of objects addressed by slash-separated relative paths. */
export interface ObjectStore {
  /** Where the objects live, for messages (no credentials). */
  readonly location: string;
  /** Writes a new object; an existing one is never replaced (OBJECT_EXISTS). */
  put(path: string, body: ObjectBody, size: number): Promise<void>;
  /** Streams an object (OBJECT_NOT_FOUND when missing). */
  get(path: string): Promise<Readable>;
  /** Every object under `prefix` (a folder path ending in "/" or ""), in no promised order. */
  list(prefix: string): AsyncIterable<{ path: string; size: number }>;
  /** Deletes an object; a missing one is not an error. */
  delete(path: string): Promise<void>;
}

// Relative paths of letters, digits and . _ - in segments; never "..", never absolute.
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
function checkPath(path: string): string {
  if (path.length === 0 || path.length > 512 || !path.split('/').every((segment) => SEGMENT.test(segment))) {
    throw new ObjectStoreError('OBJECT_BAD_PATH', `not an object path: ${JSON.stringify(path)}`);
  }
  return path;
}

function toAsyncIterable(body: ObjectBody): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) {
    return (async function* () {
      yield body;
    })();
  }
  return body;
}

/** Objects as files under a directory; each write goes to a temporary file, is synced, then linked into place. */
export class DiskObjectStore implements ObjectStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  get location(): string {
    return this.root;
  }

  async put(path: string, body: ObjectBody, _size: number): Promise<void> {
    const target = join(this.root, checkPath(path));
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    const file = await open(temporary, 'wx', 0o600);
    try {
      for await (const chunk of toAsyncIterable(body)) {
        if (chunk.length > 0) await file.write(chunk);
      }
      // Whoever records this object's name commits after put returns: the bytes must be durable first.
      await file.sync();
      await file.close();
      // link (unlike rename) fails when the name exists: an object is never replaced.
      await link(temporary, target);
    } catch (error) {
      await file.close().catch(() => undefined);
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new ObjectStoreError('OBJECT_EXISTS', `${path} exists already`, { cause: error });
      throw error;
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async get(path: string): Promise<Readable> {
    const target = join(this.root, checkPath(path));
    try {
      const handle = await open(target, 'r');
      return handle.createReadStream();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new ObjectStoreError('OBJECT_NOT_FOUND', `no object ${path} in ${this.root}`, { cause: error });
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<{ path: string; size: number }> {
    const start = prefix === '' ? this.root : join(this.root, checkPath(prefix.replace(/\/$/, '')));
    const pending = [start];
    while (pending.length > 0) {
      const dir = pending.pop()!;
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) pending.push(full);
        else if (entry.isFile() && !entry.name.endsWith('.tmp')) {
          yield { path: relative(this.root, full).split(sep).join('/'), size: (await stat(full)).size };
        }
      }
    }
  }

  async delete(path: string): Promise<void> {
    try {
      await unlink(join(this.root, checkPath(path)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** How to reach an S3-compatible service (INKAN_S3_*). */
export interface S3Settings {
  /** e.g. http://127.0.0.1:9000 for MinIO; undefined = AWS. */
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** bucket in the path (MinIO-like servers) instead of in the host name. */
  forcePathStyle: boolean;
}

/** Splits `s3://bucket/prefix` into its bucket and prefix ("" or ending in "/"). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match) throw new ObjectStoreError('OBJECT_BAD_PATH', `not an s3://bucket/prefix URL: ${url}`);
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix !== '') checkPath(prefix);
  return { bucket: match[1], prefix: prefix === '' ? '' : `${prefix}/` };
}

/** Objects in an S3 bucket under a prefix. Writes carry If-None-Match: * so that a name is written once. */
export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(url: string, settings: S3Settings) {
    const { bucket, prefix } = parseS3Url(url);
    this.#bucket = bucket;
    this.#prefix = prefix;
    this.#client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      credentials:
        settings.accessKeyId && settings.secretAccessKey
          ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
          : undefined,
      // Streamed bodies go as plain bytes with their Content-Length: the SDK's default trailing-checksum
      // (aws-chunked) framing is not understood by every S3-compatible server, and our files carry
      // their own authentication (GCM tags, the backup manifest's SHA-256).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  get location(): string {
    return `s3://${this.#bucket}/${this.#prefix}`;
  }

  async put(path: string, body: ObjectBody, size: number): Promise<void> {
    const key = this.#prefix + checkPath(path);
    // If-None-Match makes the write atomic where the server supports it; the HEAD before it covers
    // servers that ignore the header (names are random, so no two writers race for one).
    if (await this.#exists(key)) throw new ObjectStoreError('OBJECT_EXISTS', `${key} exists already`);
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: body instanceof Uint8Array ? body : Readable.from(body),
          ContentLength: size,
          IfNoneMatch: '*',
        }),
      );
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || status === 409)
        throw new ObjectStoreError('OBJECT_EXISTS', `${key} exists already`, { cause: error });
      throw error;
    }
  }

  async #exists(key: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw error;
    }
  }

  async get(path: string): Promise<Readable> {
    const key = this.#prefix + checkPath(path);
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return answer.Body as Readable;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404)
        throw new ObjectStoreError('OBJECT_NOT_FOUND', `no object ${key} in s3://${this.#bucket}`, { cause: error });
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<{ path: string; size: number }> {
    const full = this.#prefix + (prefix === '' ? '' : `${checkPath(prefix.replace(/\/$/, ''))}/`);
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: full, ContinuationToken: token }),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key !== undefined) yield { path: item.Key.slice(this.#prefix.length), size: item.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async delete(path: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + checkPath(path) }));
  }

  /** Releases the HTTP connections. */
  close(): void {
    this.#client.destroy();
  }
}

/** The store named by a directory path or an s3:// URL. */
export function openObjectStore(location: string, s3: S3Settings): ObjectStore {
  return location.startsWith('s3://') ? new S3ObjectStore(location, s3) : new DiskObjectStore(location);
}

/** Reads a whole (small) object into memory, refusing more than `limit` bytes. */
export async function readSmallObject(store: ObjectStore, path: string, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of await store.get(path)) {
    total += (chunk as Buffer).length;
    if (total > limit) throw new ObjectStoreError('OBJECT_BAD_PATH', `${path} is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
