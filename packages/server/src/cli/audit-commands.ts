/*
 * `inkan audit verify`: recomputes the operation log's hash chain and checks every daily anchor (the
 * TSA's timestamp token over a chain head). Exit 0 when all holds; 1 naming the first broken event or
 * anchor; 2 for usage and configuration errors.
 */
import { parseTimestampToken } from '@inkan/core';
import type { Config } from '../config/config.ts';
import { migrateToLatest } from '../adapters/db/migrate.ts';
import { openConfiguredDatabase } from '../adapters/db/open-database.ts';
import { verifyEventChain } from '../domain/record-event.ts';
import type { Db } from '../ports/database.ts';

const SHA256_OID = '2.16.840.1.101.3.4.2.1';
const USAGE = 'usage: inkan audit verify';

/** What `inkan audit verify` found. */
export interface AuditVerification {
  ok: boolean;
  events: number;
  anchors: number;
  /** One line per finding, the first problem first. */
  messages: string[];
}

/** Checks one anchor against the (intact) chain; a problem as text, or null. */
async function anchorProblem(
  db: Db,
  anchor: { id: string; head_seq: number; head_hash: string; token: string; created_at: string },
): Promise<string | null> {
  const named = `anchor ${anchor.id} (${anchor.created_at}, event seq ${anchor.head_seq})`;
  const event = await db
    .selectFrom('events')
    .select(['id', 'hash'])
    .where('seq', '=', anchor.head_seq)
    .executeTakeFirst();
  if (!event) return `${named}: the event it timestamped is missing (the log was truncated or the event deleted)`;
  if (event.hash !== anchor.head_hash) return `${named}: event ${event.id} no longer has the hash that was timestamped`;
  let token;
  try {
    token = parseTimestampToken(new Uint8Array(Buffer.from(anchor.token, 'base64')));
  } catch (error) {
    return `${named}: the timestamp token cannot be read (${(error as Error).message})`;
  }
  if (
    token.messageImprint.hashAlgorithmOid !== SHA256_OID ||
    Buffer.from(token.messageImprint.digest).toString('hex') !== anchor.head_hash
  ) {
    return `${named}: the timestamp token's message imprint is not the head hash it names`;
  }
  const problem = await token.signatureProblem();
  if (problem !== null) return `${named}: the timestamp token's signature is not valid (${problem})`;
  return null;
}

/** Verifies the chain and the anchors of a database. */
export async function verifyAuditLog(db: Db): Promise<AuditVerification> {
  const chain = await verifyEventChain(db);
  if (chain.brokenAt !== null) {
    const why =
      chain.reason === 'hash'
        ? 'its content does not match its hash (the event was changed)'
        : 'it does not follow the event before it (an earlier event was deleted, changed or inserted)';
    return {
      ok: false,
      events: chain.events,
      anchors: 0,
      messages: [`broken at event seq ${chain.brokenAt} (id ${chain.brokenId}): ${why}`],
    };
  }
  const anchors = await db.selectFrom('audit_anchors').selectAll().orderBy('head_seq').execute();
  for (const anchor of anchors) {
    const problem = await anchorProblem(db, anchor);
    if (problem !== null)
      return {
        ok: false,
        events: chain.events,
        anchors: anchors.length,
        messages: [`anchor check failed: ${problem}`],
      };
  }
  const last = anchors.at(-1);
  const head = await db.selectFrom('events').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const messages = [
    `operation log intact: ${chain.events} events, hash chain verified${head ? ` up to seq ${head.seq}` : ''}`,
  ];
  messages.push(
    last
      ? `${anchors.length} TSA anchor(s) verified; the latest timestamps seq ${last.head_seq} at ${last.created_at}`
      : 'no TSA anchor yet',
  );
  return { ok: true, events: chain.events, anchors: anchors.length, messages };
}

/** `inkan audit …`; returns the exit code. */
export async function auditCommand(config: Config, args: string[]): Promise<number> {
  if (args.length !== 1 || args[0] !== 'verify') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  // Only the database is needed (no keys): the check works with INKAN_MASTER_KEY absent, on a copy too.
  const database = await openConfiguredDatabase(config);
  try {
    await migrateToLatest(database.db, database.dialect);
    const result = await verifyAuditLog(database.db);
    const out = result.ok ? process.stdout : process.stderr;
    out.write(`${result.messages.join('\n')}\n`);
    return result.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}
