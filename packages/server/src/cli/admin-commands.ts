/*
 * Administration from the command line: `inkan org create`, `inkan apikey create|revoke`,
 * `inkan member add|role`, and the demo
 * organisation that `inkan start` seeds. Each change is one transaction with its audit event
 * (actor: system).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import { createContext, type AppContext } from '../context.ts';
import { inTransaction } from '../domain/transaction.ts';
import { recordEvent } from '../domain/record-event.ts';
import type { DbOrTx } from '../ports/database.ts';
import { API_KEY_SCOPES } from '../domain/administration/api-key-scopes.ts';
import { hashToken, newId, newToken } from '../security/tokens.ts';

/** How long the sign-in link printed by `inkan org create` and `inkan start` is valid. */
export const LOGIN_LINK_TTL_MS = 24 * 60 * 60 * 1000;

/** A refused admin command (exit code 1, the message is printed). */
export class AdminCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminCommandError';
  }
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$|^[^\s@<>()[\],;:"]+@localhost$/;

/** The created organisation, its administrator and the one-time sign-in URL for them (null: an existing account with a password signs in as usual). */
export interface CreatedOrganization {
  organizationId: string;
  userId: string;
  signInUrl: string | null;
}

/**
 * Creates an organisation with an administrator and a one-time sign-in link (24 h). The administrator is
 * the account with that address when there is one (it gains the membership; a link only when it has no
 * password yet), else a new account without a password.
 */
export async function createOrganization(
  context: AppContext,
  input: { name: string; slug: string; adminEmail: string; adminName?: string },
): Promise<CreatedOrganization> {
  const name = input.name.trim();
  const slug = input.slug.trim();
  const adminEmail = input.adminEmail.trim().toLowerCase();
  if (name === '') throw new AdminCommandError('--name must not be empty');
  if (!SLUG.test(slug))
    throw new AdminCommandError(`--slug "${slug}" must be 1–63 lower-case letters, digits and hyphens`);
  if (!EMAIL.test(adminEmail))
    throw new AdminCommandError(`--admin-email "${input.adminEmail}" is not an e-mail address`);
  const now = context.clock.now();
  return inTransaction(context.db, context.dialect, async (tx) => {
    if (await tx.selectFrom('organizations').select('id').where('slug', '=', slug).executeTakeFirst()) {
      throw new AdminCommandError(`an organisation with the slug "${slug}" exists already`);
    }
    const organizationId = newId();
    await tx
      .insertInto('organizations')
      .values({ id: organizationId, name, slug, created_at: now.toISOString() })
      .execute();
    const account = await findOrCreateAccount(tx, adminEmail, input.adminName?.trim() || adminEmail, now);
    await tx
      .insertInto('memberships')
      .values({ user_id: account.id, organization_id: organizationId, role: 'admin', created_at: now.toISOString() })
      .execute();
    await recordEvent(tx, {
      organizationId,
      actor: { type: 'system', id: null },
      action: 'organization.created',
      details: { name, slug, adminUserId: account.id, adminEmail },
      at: now,
    });
    const signInUrl = account.hasPassword ? null : await issueLoginLink(context, tx, organizationId, account.id, now);
    return { organizationId, userId: account.id, signInUrl };
  });
}

/** The account with an address, or a new one without a password. */
async function findOrCreateAccount(
  tx: DbOrTx,
  email: string,
  name: string,
  now: Date,
): Promise<{ id: string; hasPassword: boolean }> {
  const existing = await tx
    .selectFrom('users')
    .select(['id', 'password_hash'])
    .where('email', '=', email)
    .executeTakeFirst();
  if (existing) return { id: existing.id, hasPassword: existing.password_hash !== null };
  const id = newId();
  await tx
    .insertInto('users')
    .values({ id, email, name, password_hash: null, created_at: now.toISOString() })
    .execute();
  return { id, hasPassword: false };
}

/** Stores a new one-time sign-in link for a user (hashed) and returns its URL. */
async function issueLoginLink(
  context: AppContext,
  tx: DbOrTx,
  organizationId: string,
  userId: string,
  now: Date,
): Promise<string> {
  const { token, hash } = newToken();
  await tx
    .insertInto('login_links')
    .values({
      token_hash: hash,
      user_id: userId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + LOGIN_LINK_TTL_MS).toISOString(),
      used_at: null,
    })
    .execute();
  await recordEvent(tx, {
    organizationId,
    actor: { type: 'system', id: null },
    action: 'login-link.created',
    details: { userId },
    at: now,
  });
  return `${context.config.publicUrl}/login/link?token=${token}`;
}

/** A new API key: shown once, stored as SHA-256 (hashToken of the whole key) with a recognisable prefix. */
export interface CreatedApiKey {
  id: string;
  key: string;
  prefix: string;
}

/** Length of api_keys.prefix: "inkan_" and 6 characters of the random part. */
export const API_KEY_PREFIX_LENGTH = 12;

/** Creates an API key for the organisation with the given slug. */
export async function createApiKey(
  context: AppContext,
  input: { organizationSlug: string; name?: string; scopes?: string },
): Promise<CreatedApiKey> {
  // --scopes send,read,…: the key's scopes (default: send, read, register — what keys could always do).
  const scopes =
    input.scopes === undefined ? ['send', 'read', 'register'] : input.scopes.split(',').map((s) => s.trim());
  if (scopes.length === 0 || scopes.some((s) => !(API_KEY_SCOPES as readonly string[]).includes(s)))
    throw new AdminCommandError(`--scopes must be a comma-separated list of ${API_KEY_SCOPES.join(', ')}`);
  const now = context.clock.now();
  const key = `inkan_${randomBytes(32).toString('base64url')}`;
  const prefix = key.slice(0, API_KEY_PREFIX_LENGTH);
  const id = newId();
  const name = input.name?.trim() || `API key ${now.toISOString().slice(0, 10)}`;
  await inTransaction(context.db, context.dialect, async (tx) => {
    const organization = await tx
      .selectFrom('organizations')
      .select('id')
      .where('slug', '=', input.organizationSlug)
      .executeTakeFirst();
    if (!organization) throw new AdminCommandError(`no organisation with the slug "${input.organizationSlug}"`);
    await tx
      .insertInto('api_keys')
      .values({
        id,
        organization_id: organization.id,
        name,
        key_hash: hashToken(key),
        prefix,
        created_at: now.toISOString(),
        revoked_at: null,
        last_used_at: null,
        scopes: JSON.stringify(API_KEY_SCOPES.filter((s) => scopes.includes(s))),
      })
      .execute();
    await recordEvent(tx, {
      organizationId: organization.id,
      actor: { type: 'system', id: null },
      action: 'apikey.created',
      details: { apiKeyId: id, name, prefix, scopes },
      at: now,
    });
  });
  return { id, key, prefix };
}

/** Revokes the organisation's API key with the given prefix (its first characters, as listed when created). */
export async function revokeApiKey(
  context: AppContext,
  input: { organizationSlug: string; prefix: string },
): Promise<{ id: string; name: string }> {
  const prefix = input.prefix.trim();
  if (prefix.length < 8)
    throw new AdminCommandError('--prefix must be at least 8 characters of the key (e.g. inkan_AbCdEf)');
  const now = context.clock.now();
  return inTransaction(context.db, context.dialect, async (tx) => {
    const organization = await tx
      .selectFrom('organizations')
      .select('id')
      .where('slug', '=', input.organizationSlug)
      .executeTakeFirst();
    if (!organization) throw new AdminCommandError(`no organisation with the slug "${input.organizationSlug}"`);
    // The stored prefix is 12 characters: a longer one given is compared on those. (Compared here, not
    // with LIKE: `_` is a LIKE wildcard and a key character.)
    const wanted = prefix.slice(0, API_KEY_PREFIX_LENGTH);
    const keys = (
      await tx
        .selectFrom('api_keys')
        .select(['id', 'name', 'prefix', 'revoked_at'])
        .where('organization_id', '=', organization.id)
        .execute()
    ).filter((k) => k.prefix.startsWith(wanted));
    const live = keys.filter((k) => k.revoked_at === null);
    if (live.length === 0)
      throw new AdminCommandError(
        keys.length > 0
          ? `the API key ${prefix}… is revoked already`
          : `no API key of "${input.organizationSlug}" starts with ${prefix}`,
      );
    if (live.length > 1)
      throw new AdminCommandError(`${live.length} API keys start with ${prefix}: give more characters`);
    const key = live[0];
    await tx.updateTable('api_keys').set({ revoked_at: now.toISOString() }).where('id', '=', key.id).execute();
    await recordEvent(tx, {
      organizationId: organization.id,
      actor: { type: 'system', id: null },
      action: 'apikey.revoked',
      details: { apiKeyId: key.id, name: key.name, prefix: key.prefix },
      at: now,
    });
    return { id: key.id, name: key.name };
  });
}

const ROLES = ['admin', 'member', 'viewer'] as const;
type Role = (typeof ROLES)[number];

function parseRole(text: string | undefined, fallback?: Role): Role {
  const role = text ?? fallback;
  if (!role || !(ROLES as readonly string[]).includes(role))
    throw new AdminCommandError(`--role must be one of ${ROLES.join(', ')}`);
  return role as Role;
}

/**
 * Adds an account to an organisation (a new account without a password when the address has none) and
 * returns a one-time sign-in link for it, or null when the account has a password already.
 */
export async function addMember(
  context: AppContext,
  input: { organizationSlug: string; email: string; name?: string; role?: string },
): Promise<{ userId: string; signInUrl: string | null }> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new AdminCommandError(`--email "${input.email}" is not an e-mail address`);
  const role = parseRole(input.role, 'member');
  const now = context.clock.now();
  return inTransaction(context.db, context.dialect, async (tx) => {
    const organization = await tx
      .selectFrom('organizations')
      .select('id')
      .where('slug', '=', input.organizationSlug)
      .executeTakeFirst();
    if (!organization) throw new AdminCommandError(`no organisation with the slug "${input.organizationSlug}"`);
    const name = input.name?.trim() || email;
    const account = await findOrCreateAccount(tx, email, name, now);
    const member = await tx
      .selectFrom('memberships')
      .select('role')
      .where('user_id', '=', account.id)
      .where('organization_id', '=', organization.id)
      .executeTakeFirst();
    if (member)
      throw new AdminCommandError(`${email} is a member of "${input.organizationSlug}" already (${member.role})`);
    await tx
      .insertInto('memberships')
      .values({ user_id: account.id, organization_id: organization.id, role, created_at: now.toISOString() })
      .execute();
    await recordEvent(tx, {
      organizationId: organization.id,
      actor: { type: 'system', id: null },
      action: 'member.added',
      details: { userId: account.id, email, name, role },
      at: now,
    });
    const signInUrl = account.hasPassword ? null : await issueLoginLink(context, tx, organization.id, account.id, now);
    return { userId: account.id, signInUrl };
  });
}

/** Changes a member's role in an organisation. */
export async function changeMemberRole(
  context: AppContext,
  input: { organizationSlug: string; email: string; role: string },
): Promise<{ from: Role; to: Role }> {
  const email = input.email.trim().toLowerCase();
  const role = parseRole(input.role);
  const now = context.clock.now();
  return inTransaction(context.db, context.dialect, async (tx) => {
    const member = await tx
      .selectFrom('memberships')
      .innerJoin('organizations', 'organizations.id', 'memberships.organization_id')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['users.id', 'memberships.role', 'memberships.organization_id'])
      .where('organizations.slug', '=', input.organizationSlug)
      .where('users.email', '=', email)
      .executeTakeFirst();
    if (!member) throw new AdminCommandError(`no member ${email} in "${input.organizationSlug}"`);
    if (member.role !== role) {
      await tx
        .updateTable('memberships')
        .set({ role })
        .where('user_id', '=', member.id)
        .where('organization_id', '=', member.organization_id)
        .execute();
      await recordEvent(tx, {
        organizationId: member.organization_id,
        actor: { type: 'system', id: null },
        action: 'member.role-changed',
        details: { userId: member.id, email, from: member.role, to: role },
        at: now,
      });
    }
    return { from: member.role, to: role };
  });
}

/** The demo organisation of `npm start`. */
export const DEMO_ORGANIZATION = {
  name: 'デモ市役所 契約課',
  slug: 'demo',
  adminEmail: 'admin@example.jp',
  adminName: 'デモ管理者',
} as const;

/**
 * Seeds the demo organisation and its administrator once, and issues a fresh one-time sign-in link
 * for the administrator on every call (each `inkan start` prints a working link).
 */
export async function seedDemo(context: AppContext): Promise<{ created: boolean; signInUrl: string }> {
  const now = context.clock.now();
  const existing = await context.db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .innerJoin('organizations', 'organizations.id', 'memberships.organization_id')
    .select(['users.id as userId', 'organizations.id as organizationId'])
    .where('organizations.slug', '=', DEMO_ORGANIZATION.slug)
    .where('users.email', '=', DEMO_ORGANIZATION.adminEmail)
    .executeTakeFirst();
  if (!existing) {
    try {
      const created = await createOrganization(context, DEMO_ORGANIZATION);
      const signInUrl =
        created.signInUrl ??
        (await inTransaction(context.db, context.dialect, (tx) =>
          issueLoginLink(context, tx, created.organizationId, created.userId, now),
        ));
      return { created: true, signInUrl };
    } catch (error) {
      // Another process seeded it in between: fall through to a fresh link.
      if (!(error instanceof AdminCommandError)) throw error;
      return seedDemo(context);
    }
  }
  const signInUrl = await inTransaction(context.db, context.dialect, (tx) =>
    issueLoginLink(context, tx, existing.organizationId, existing.userId, now),
  );
  return { created: false, signInUrl };
}

const ORG_USAGE = 'usage: inkan org create --name NAME --slug SLUG --admin-email EMAIL [--admin-name NAME]';
const APIKEY_USAGE =
  'usage: inkan apikey create --org SLUG [--name NAME] [--scopes send,read,register,admin] | inkan apikey revoke --org SLUG --prefix PREFIX';
const MEMBER_USAGE =
  'usage: inkan member add --org SLUG --email EMAIL [--name NAME] [--role admin|member|viewer] | inkan member role --org SLUG --email EMAIL --role ROLE';

/** `inkan org …`; returns the exit code. */
export async function orgCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      slug: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-name': { type: 'string' },
    },
  });
  if (
    positionals.length !== 1 ||
    positionals[0] !== 'create' ||
    !values.name ||
    !values.slug ||
    !values['admin-email']
  ) {
    process.stderr.write(`${ORG_USAGE}\n`);
    return 2;
  }
  return withContext(config, async (context) => {
    const created = await createOrganization(context, {
      name: values.name!,
      slug: values.slug!,
      adminEmail: values['admin-email']!,
      adminName: values['admin-name'],
    });
    process.stdout.write(
      `created organisation "${values.slug}" (${created.organizationId}) with administrator ${values['admin-email']!.trim().toLowerCase()}\n`,
    );
    process.stdout.write(
      created.signInUrl === null
        ? 'the administrator has an account with a password already: they sign in as usual\n'
        : `one-time sign-in link (valid 24 h):\n${created.signInUrl}\n`,
    );
  });
}

/** `inkan apikey …`; `create` prints the key on the last line. */
export async function apiKeyCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      org: { type: 'string' },
      name: { type: 'string' },
      prefix: { type: 'string' },
      scopes: { type: 'string' },
    },
  });
  if (positionals.length === 1 && positionals[0] === 'revoke' && values.org && values.prefix) {
    return withContext(config, async (context) => {
      const revoked = await revokeApiKey(context, { organizationSlug: values.org!, prefix: values.prefix! });
      process.stdout.write(`revoked API key ${revoked.id} ("${revoked.name}") of "${values.org}"\n`);
    });
  }
  if (positionals.length !== 1 || positionals[0] !== 'create' || !values.org) {
    process.stderr.write(`${APIKEY_USAGE}\n`);
    return 2;
  }
  return withContext(config, async (context) => {
    const created = await createApiKey(context, {
      organizationSlug: values.org!,
      name: values.name,
      scopes: values.scopes,
    });
    process.stdout.write(
      `created API key ${created.id} for "${values.org}" (shown once; stored only as a hash)\n${created.key}\n`,
    );
  });
}

/** `inkan member …`; returns the exit code. */
export async function memberCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { org: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
  });
  const command = positionals.length === 1 ? positionals[0] : undefined;
  if (
    !values.org ||
    !values.email ||
    (command !== 'add' && command !== 'role') ||
    (command === 'role' && !values.role)
  ) {
    process.stderr.write(`${MEMBER_USAGE}\n`);
    return 2;
  }
  return withContext(config, async (context) => {
    if (command === 'add') {
      const added = await addMember(context, {
        organizationSlug: values.org!,
        email: values.email!,
        name: values.name,
        role: values.role,
      });
      const link =
        added.signInUrl === null
          ? 'the account has a password already: they sign in as usual'
          : `one-time sign-in link (valid 24 h):\n${added.signInUrl}`;
      process.stdout.write(
        `added ${values.email!.trim().toLowerCase()} to "${values.org}" (${added.userId})\n${link}\n`,
      );
    } else {
      const changed = await changeMemberRole(context, {
        organizationSlug: values.org!,
        email: values.email!,
        role: values.role!,
      });
      process.stdout.write(
        changed.from === changed.to
          ? `${values.email} is ${changed.to} already\n`
          : `${values.email}: ${changed.from} → ${changed.to}\n`,
      );
    }
  });
}

async function withContext(config: Config, work: (context: AppContext) => Promise<void>): Promise<number> {
  const context = await createContext(config);
  try {
    await work(context);
    return 0;
  } catch (error) {
    if (error instanceof AdminCommandError) {
      process.stderr.write(`inkan: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await context.close();
  }
}
