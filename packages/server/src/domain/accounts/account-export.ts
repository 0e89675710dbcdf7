import type { DomainContext } from '../domain-context.ts';
import { personalRegisterExporter } from '../register/contract-account-export.ts';

/** One file of an account's data export (a path inside the ZIP, and its bytes or text). */
export interface AccountExportFile {
  path: string;
  content: Uint8Array | string;
}

/**
 * A part of the account data export. The export runs every exporter of ACCOUNT_EXPORTERS and zips what
 * they return; a feature that keeps data of an account (the contract register, 保管) adds its own
 * exporter to that list, with paths under its own folder (e.g. `contracts/…`).
 */
export interface AccountExporter {
  /** A short name, listed in the export's manifest. */
  name: string;
  collect(ctx: DomainContext, userId: string): Promise<AccountExportFile[]>;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** profile.json: the account itself (never the password hash). */
const profileExporter: AccountExporter = {
  name: 'profile',
  async collect(ctx, userId) {
    const user = await ctx.db
      .selectFrom('users')
      .select(['id', 'email', 'name', 'company_name', 'created_at'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    return [
      {
        path: 'profile.json',
        content: json({
          id: user.id,
          email: user.email,
          name: user.name,
          companyName: user.company_name,
          createdAt: user.created_at,
        }),
      },
    ];
  },
};

/** memberships.json: the organisations the account belongs to, with roles. */
const membershipsExporter: AccountExporter = {
  name: 'memberships',
  async collect(ctx, userId) {
    const rows = await ctx.db
      .selectFrom('memberships')
      .innerJoin('organizations', 'organizations.id', 'memberships.organization_id')
      .select([
        'organizations.id',
        'organizations.name',
        'organizations.slug',
        'memberships.role',
        'memberships.created_at',
      ])
      .where('memberships.user_id', '=', userId)
      .orderBy('memberships.created_at')
      .execute();
    return [
      {
        path: 'memberships.json',
        content: json(
          rows.map((r) => ({
            organization: { id: r.id, name: r.name, slug: r.slug },
            role: r.role,
            since: r.created_at,
          })),
        ),
      },
    ];
  },
};

/** sessions.json: the account's sessions (times, IP, browser; no token or hash). */
const sessionsExporter: AccountExporter = {
  name: 'sessions',
  async collect(ctx, userId) {
    const rows = await ctx.db
      .selectFrom('sessions')
      .select(['created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent', 'organization_id'])
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .limit(1000)
      .execute();
    return [
      {
        path: 'sessions.json',
        content: json(
          rows.map((r) => ({
            createdAt: r.created_at,
            lastSeenAt: r.last_seen_at,
            expiresAt: r.expires_at,
            ip: r.ip,
            userAgent: r.user_agent,
            organizationId: r.organization_id,
          })),
        ),
      },
    ];
  },
};

/** Every part of the export, in order: the account, then its personal register (contracts/). */
export const ACCOUNT_EXPORTERS: AccountExporter[] = [
  profileExporter,
  membershipsExporter,
  sessionsExporter,
  personalRegisterExporter,
];
