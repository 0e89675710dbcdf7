/*
 * Backups of an installation: the database (a consistent snapshot, see database-snapshot.ts), every
 * stored blob (copied as stored: encrypted), the PKI's files except the master key, and a manifest
 * holding the size and SHA-256 of each file plus a SHA-256 of the manifest itself. A backup is the
 * folder `<id>/` of a target store (a directory or s3://bucket/prefix); its manifest is written last,
 * so a backup without one is incomplete.
 *
 * Order matters for consistency: the database snapshot is taken first, then the blobs are listed.
 * A blob is written (durably) before the row naming it commits and committed blobs are never changed
 * or deleted, so every blob the snapshot names is there when the listing runs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as z from 'zod';
import type { Config } from '../config/config.ts';
import type { Clock } from '../ports/clock.ts';
import { openConfiguredDatabase, sqlitePathOf } from '../adapters/db/open-database.ts';
import { migrateToLatest } from '../adapters/db/migrate.ts';
import {
  DiskObjectStore,
  openObjectStore,
  readSmallObject,
  type ObjectStore,
} from '../adapters/storage/object-store.ts';
import {
  checkDatabaseFile,
  countSqliteFile,
  databaseFileName,
  isDatabaseEmpty,
  restoreDatabase,
  snapshotDatabase,
  type DatabaseTarget,
  type TableCounts,
} from './database-snapshot.ts';
import { backupsToKeep } from './retention.ts';

const MANIFEST = 'manifest.json';
const MANIFEST_LIMIT = 256 * 1024 * 1024;
const ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;
/** Never copied: the master key is kept apart from the backups (see the deployment guide). */
const EXCLUDED_PKI_FILES = new Set(['master.key']);

const manifestBody = z.object({
  format: z.literal('inkan-backup'),
  version: z.literal(1),
  id: z.string().regex(ID_PATTERN),
  createdAt: z.iso.datetime(),
  dialect: z.enum(['sqlite', 'postgres']),
  blobStore: z.string(),
  tables: z.record(z.string(), z.number().int().min(0)),
  files: z.array(
    z.object({ path: z.string().min(1), size: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  ),
  notCopied: z.array(z.string()),
});
/** What a backup's manifest says (without its own digest). */
export type BackupManifest = z.infer<typeof manifestBody>;

/** A backup, its manifest or why it is unusable. */
export interface BackupEntry {
  id: string;
  manifest?: BackupManifest;
  problem?: string;
  bytes: number;
}

/** A failure the user can act on (the CLI prints the message, exit 1). */
export class BackupError extends Error {
  constructor(
    readonly code: 'BACKUP_NOT_FOUND' | 'BACKUP_INVALID' | 'RESTORE_TARGET_NOT_EMPTY',
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The exact bytes of a manifest: its body and the SHA-256 of that body's JSON. */
function serializeManifest(body: BackupManifest): Buffer {
  return Buffer.from(`${JSON.stringify({ ...body, digest: sha256Hex(JSON.stringify(body)) }, null, 2)}\n`, 'utf8');
}

/** Reads and checks a manifest: any changed byte makes it fail (syntax, schema, digest, or exact form). */
function parseManifest(bytes: Buffer, id: string): BackupManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BackupError('BACKUP_INVALID', `backup ${id}: the manifest is not JSON`);
  }
  const { digest, ...rest } = (parsed ?? {}) as { digest?: unknown };
  const body = manifestBody.safeParse(rest);
  if (!body.success)
    throw new BackupError(
      'BACKUP_INVALID',
      `backup ${id}: the manifest is malformed (${body.error.issues[0]?.message})`,
    );
  if (digest !== sha256Hex(JSON.stringify(body.data)) || !serializeManifest(body.data).equals(bytes)) {
    throw new BackupError('BACKUP_INVALID', `backup ${id}: the manifest was changed (its digest does not match)`);
  }
  if (body.data.id !== id)
    throw new BackupError('BACKUP_INVALID', `backup ${id}: the manifest names another backup (${body.data.id})`);
  return body.data;
}

/** The database a configuration uses. */
export function databaseTargetOf(config: Config): DatabaseTarget {
  return config.databaseUrl !== undefined && /^postgres(ql)?:\/\//.test(config.databaseUrl)
    ? { dialect: 'postgres', url: config.databaseUrl }
    : { dialect: 'sqlite', path: sqlitePathOf(config.databaseUrl, config.dataDir) };
}

/** The raw (encrypted) objects of the configured blob store. */
export function blobObjectsOf(config: Config): ObjectStore {
  return openObjectStore(config.blobUrl ?? join(config.dataDir, 'blobs'), config.s3);
}

/** The backup target store: `location` (--to / --from) or INKAN_BACKUP_TARGET. */
export function backupStoreOf(config: Config, location?: string): ObjectStore {
  return openObjectStore(location ?? config.backup.target, config.s3);
}

/** Streams `source` into `store` at `path`, hashing on the way; returns the file's manifest entry. */
async function copyHashed(
  source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>,
  size: number,
  store: ObjectStore,
  path: string,
): Promise<{ path: string; size: number; sha256: string }> {
  const hash = createHash('sha256');
  let seen = 0;
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      seen += chunk.length;
      yield chunk;
    }
  }
  await store.put(path, hashed(), size);
  if (seen !== size)
    throw new Error(`${path}: ${seen} bytes copied, ${size} expected (the file changed while it was copied)`);
  return { path, size, sha256: hash.digest('hex') };
}

/** Files of the PKI directory (relative paths), without the master key. */
async function pkiFiles(pkiDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (relativeDir: string): Promise<void> => {
    for (const entry of await readdir(join(pkiDir, relativeDir), { withFileTypes: true })) {
      const path = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && !EXCLUDED_PKI_FILES.has(path)) out.push(path);
    }
  };
  if (existsSync(pkiDir)) await walk('');
  return out.sort();
}

/** Takes a backup of the running installation into the target store; returns its manifest. */
export async function createBackup(config: Config, clock: Clock, location?: string): Promise<BackupManifest> {
  const store = backupStoreOf(config, location);
  const now = clock.now();
  const id = `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
  const target = databaseTargetOf(config);
  // A fresh installation has no database file yet, an old one may lack the latest tables: both are
  // brought to the current schema first (as every command does), so a backup always restores into it.
  const opened = await openConfiguredDatabase(config);
  try {
    await migrateToLatest(opened.db, opened.dialect);
  } finally {
    await opened.close();
  }
  const work = mkdtempSync(join(tmpdir(), 'inkan-backup-'));
  try {
    const databaseFile = join(work, databaseFileName(target.dialect));
    const tables = await snapshotDatabase(target, databaseFile);
    const files: BackupManifest['files'] = [];
    const databaseSize = (await stat(databaseFile)).size;
    files.push(
      await copyHashed(
        createReadStream(databaseFile),
        databaseSize,
        store,
        `${id}/${databaseFileName(target.dialect)}`,
      ),
    );
    for (const path of await pkiFiles(config.pkiDir)) {
      const full = join(config.pkiDir, ...path.split('/'));
      files.push(await copyHashed(createReadStream(full), (await stat(full)).size, store, `${id}/pki/${path}`));
    }
    const blobs = blobObjectsOf(config);
    for await (const object of blobs.list('')) {
      files.push(await copyHashed(await blobs.get(object.path), object.size, store, `${id}/blobs/${object.path}`));
    }
    const manifest: BackupManifest = {
      format: 'inkan-backup',
      version: 1,
      id,
      createdAt: now.toISOString(),
      dialect: target.dialect,
      blobStore: blobs.location,
      tables,
      files,
      notCopied: [
        'pki/master.key',
        'INKAN_MASTER_KEY',
        'HSM keys (INKAN_PKCS11_*)',
        'HSM key-encryption keys (INKAN_KEK_PKCS11_*)',
      ],
    };
    const bytes = serializeManifest(manifest);
    await store.put(`${id}/${MANIFEST}`, bytes, bytes.length);
    return manifest;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Every backup in the target store, oldest first; incomplete or damaged ones carry a `problem`. */
export async function listBackups(config: Config, location?: string): Promise<BackupEntry[]> {
  const store = backupStoreOf(config, location);
  const byId = new Map<string, { bytes: number; hasManifest: boolean }>();
  for await (const object of store.list('')) {
    const [id, ...rest] = object.path.split('/');
    if (!ID_PATTERN.test(id) || rest.length === 0) continue;
    const entry = byId.get(id) ?? { bytes: 0, hasManifest: false };
    entry.bytes += object.size;
    if (rest.join('/') === MANIFEST) entry.hasManifest = true;
    byId.set(id, entry);
  }
  const out: BackupEntry[] = [];
  for (const [id, { bytes, hasManifest }] of [...byId].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!hasManifest) {
      out.push({ id, bytes, problem: 'incomplete (no manifest)' });
      continue;
    }
    try {
      out.push({
        id,
        bytes,
        manifest: parseManifest(await readSmallObject(store, `${id}/${MANIFEST}`, MANIFEST_LIMIT), id),
      });
    } catch (error) {
      out.push({ id, bytes, problem: (error as Error).message });
    }
  }
  return out;
}

/** A Transform that hashes what passes through it. */
function hashingPassThrough(): { stream: Transform; digest: () => string; bytes: () => number } {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex'), bytes: () => bytes };
}

/**
 * Checks a backup: the manifest's own digest, that the store holds exactly its files with their sizes
 * and SHA-256, and that the database file opens. Returns the manifest; throws BackupError naming the
 * first problem. With `keepDatabaseIn`, the checked database file is left in that directory.
 */
export async function verifyBackup(
  config: Config,
  id: string,
  location?: string,
  keepDatabaseIn?: string,
): Promise<BackupManifest> {
  if (!ID_PATTERN.test(id))
    throw new BackupError('BACKUP_NOT_FOUND', `"${id}" is not a backup id (see inkan backup list)`);
  const store = backupStoreOf(config, location);
  let manifestBytes: Buffer;
  try {
    manifestBytes = await readSmallObject(store, `${id}/${MANIFEST}`, MANIFEST_LIMIT);
  } catch {
    throw new BackupError('BACKUP_NOT_FOUND', `no complete backup ${id} in ${store.location}`);
  }
  const manifest = parseManifest(manifestBytes, id);
  const stored = new Map<string, number>();
  for await (const object of store.list(id)) stored.set(object.path.slice(id.length + 1), object.size);
  const listed = new Set(manifest.files.map((f) => f.path.slice(id.length + 1)));
  for (const path of stored.keys()) {
    if (path !== MANIFEST && !listed.has(path))
      throw new BackupError('BACKUP_INVALID', `backup ${id}: ${path} is not in the manifest`);
  }
  const work = keepDatabaseIn ?? mkdtempSync(join(tmpdir(), 'inkan-verify-'));
  const databaseName = databaseFileName(manifest.dialect);
  try {
    for (const file of manifest.files) {
      const relativePath = file.path.slice(id.length + 1);
      if (stored.get(relativePath) !== file.size)
        throw new BackupError('BACKUP_INVALID', `backup ${id}: ${relativePath} is missing or has the wrong size`);
      const hashing = hashingPassThrough();
      if (relativePath === databaseName) {
        await pipeline(await store.get(file.path), hashing.stream, createWriteStream(join(work, databaseName)));
      } else {
        hashing.stream.resume();
        await pipeline(await store.get(file.path), hashing.stream);
      }
      if (hashing.digest() !== file.sha256)
        throw new BackupError('BACKUP_INVALID', `backup ${id}: ${relativePath} does not match its SHA-256`);
    }
    if (!manifest.files.some((f) => f.path === `${id}/${databaseName}`))
      throw new BackupError('BACKUP_INVALID', `backup ${id}: no database file`);
    try {
      await checkDatabaseFile(manifest.dialect, join(work, databaseName));
      if (
        manifest.dialect === 'sqlite' &&
        JSON.stringify(countSqliteFile(join(work, databaseName))) !== JSON.stringify(manifest.tables)
      ) {
        throw new Error('its row counts differ from the manifest');
      }
    } catch (error) {
      throw new BackupError('BACKUP_INVALID', `backup ${id}: the database does not open (${(error as Error).message})`);
    }
    return manifest;
  } finally {
    if (keepDatabaseIn === undefined) await rm(work, { recursive: true, force: true });
  }
}

/** What a restore did, and whether the master key is still to be put in place. */
export interface RestoreResult {
  manifest: BackupManifest;
  tables: TableCounts;
  blobs: number;
  /** The master key the PKI needs is neither in INKAN_MASTER_KEY nor in the PKI directory yet. */
  masterKeyMissing: boolean;
}

/**
 * Restores backup `id` into the configured (empty) database, blob store and data directory, after
 * verifying it. Refuses (changing nothing) when any of them holds data. The database must be of the
 * backup's dialect. The master key is not in the backup: it comes from INKAN_MASTER_KEY or from the
 * key safe into `<dataDir>/pki/master.key`.
 */
export async function restoreBackup(config: Config, id: string, location?: string): Promise<RestoreResult> {
  const target = databaseTargetOf(config);
  const blobs = blobObjectsOf(config);
  const problems: string[] = [];
  if (!(await isDatabaseEmpty(target)))
    problems.push(`the database (${target.dialect === 'sqlite' ? target.path : 'INKAN_DATABASE_URL'}) has tables`);
  for await (const _object of blobs.list('')) {
    problems.push(`the blob store ${blobs.location} holds blobs`);
    break;
  }
  if (existsSync(join(config.pkiDir, 'pki.json'))) problems.push(`${config.pkiDir} holds a PKI`);
  if (problems.length > 0)
    throw new BackupError('RESTORE_TARGET_NOT_EMPTY', `restore needs an empty installation: ${problems.join('; ')}`);

  const work = mkdtempSync(join(tmpdir(), 'inkan-restore-'));
  try {
    const manifest = await verifyBackup(config, id, location, work);
    if (manifest.dialect !== target.dialect) {
      throw new BackupError(
        'BACKUP_INVALID',
        `backup ${id} is of a ${manifest.dialect} database; the configured database is ${target.dialect}`,
      );
    }
    const store = backupStoreOf(config, location);
    let blobCount = 0;
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    const pki = new DiskObjectStore(config.pkiDir);
    for (const file of manifest.files) {
      const relativePath = file.path.slice(id.length + 1);
      if (relativePath.startsWith('blobs/')) {
        await copyHashed(await store.get(file.path), file.size, blobs, relativePath.slice('blobs/'.length));
        blobCount++;
      } else if (relativePath.startsWith('pki/')) {
        await copyHashed(await store.get(file.path), file.size, pki, relativePath.slice('pki/'.length));
      }
    }
    if (target.dialect === 'sqlite') await mkdir(dirname(target.path), { recursive: true, mode: 0o700 });
    const tables = await restoreDatabase(target, join(work, databaseFileName(manifest.dialect)));
    if (JSON.stringify(tables) !== JSON.stringify(manifest.tables)) {
      throw new BackupError(
        'BACKUP_INVALID',
        `backup ${id}: the restored database's row counts differ from the manifest`,
      );
    }
    return {
      manifest,
      tables,
      blobs: blobCount,
      masterKeyMissing: config.masterKey === undefined && !existsSync(join(config.pkiDir, 'master.key')),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Deletes a backup: its manifest first, so that a half-deleted backup shows as incomplete. */
async function deleteBackup(store: ObjectStore, id: string): Promise<void> {
  await store.delete(`${id}/${MANIFEST}`);
  const paths: string[] = [];
  for await (const object of store.list(id)) paths.push(object.path);
  for (const path of paths) await store.delete(path);
}

/** Prunes the complete backups that the grandfather-father-son policy does not keep; returns their ids. */
export async function pruneBackups(config: Config, location?: string): Promise<string[]> {
  const store = backupStoreOf(config, location);
  const complete = (await listBackups(config, location)).filter(
    (b): b is BackupEntry & { manifest: BackupManifest } => b.manifest !== undefined,
  );
  const keep = backupsToKeep(
    complete.map((b) => ({ id: b.id, createdAt: new Date(b.manifest.createdAt) })),
    { daily: config.backup.keepDaily, monthly: config.backup.keepMonthly, yearly: config.backup.keepYearly },
    config.timeZone,
  );
  const pruned = complete.filter((b) => !keep.has(b.id)).map((b) => b.id);
  for (const id of pruned) await deleteBackup(store, id);
  return pruned;
}
