import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import { deleteOutlivedSessions } from './purge-expired-sessions.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** The settings of an organisation that its administrators change. */
export interface OrganizationSettings {
  /** The completion mail carries the certificate of completion as a PDF attachment. */
  attachCertificate: boolean;
  /** Every member must have a second factor (enforced at each member's next sign-in). */
  mfaRequired: boolean;
  /** Sessions unused this many minutes end (null: no idle limit). */
  sessionIdleMinutes: number | null;
  /** Sessions end this many hours after sign-in at the latest (null: INKAN_SESSION_TTL alone). */
  sessionAbsoluteHours: number | null;
  /** 自動リマインド: signers whose turn it is are reminded every this many days until expiry (0 = off). */
  autoRemindDays: number;
}

/** Bounds of 自動リマインド in days (0 = off). */
export const AUTO_REMIND_LIMITS = { min: 0, max: 30 } as const;

/** Bounds of the session policy: idle 5 minutes to 7 days, absolute 1 hour to 30 days. */
export const SESSION_POLICY_LIMITS = {
  idleMinutes: { min: 5, max: 7 * 24 * 60 },
  absoluteHours: { min: 1, max: 30 * 24 },
} as const;

function checkLimit(value: number | null | undefined, field: string, limits: { min: number; max: number }): void {
  if (value === undefined || value === null) return;
  if (!Number.isInteger(value) || value < limits.min || value > limits.max)
    throw new AppError('VALIDATION_FAILED', `${field} must be a whole number from ${limits.min} to ${limits.max}`, {
      field,
      min: limits.min,
      max: limits.max,
    });
}

function settingsOf(row: {
  attach_certificate: number;
  mfa_required: number;
  session_idle_minutes: number | null;
  session_absolute_hours: number | null;
  auto_remind_days: number;
}): OrganizationSettings {
  return {
    attachCertificate: row.attach_certificate === 1,
    mfaRequired: row.mfa_required === 1,
    sessionIdleMinutes: row.session_idle_minutes,
    sessionAbsoluteHours: row.session_absolute_hours,
    autoRemindDays: row.auto_remind_days,
  };
}

const SETTINGS_COLUMNS = [
  'attach_certificate',
  'mfa_required',
  'session_idle_minutes',
  'session_absolute_hours',
  'auto_remind_days',
] as const;

/** The organisation's settings (read only). */
export async function getOrganizationSettings(
  ctx: DomainContext,
  input: { organizationId: string },
): Promise<OrganizationSettings> {
  const row = await ctx.db
    .selectFrom('organizations')
    .select(SETTINGS_COLUMNS)
    .where('id', '=', input.organizationId)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'no such organisation');
  return settingsOf(row);
}

/**
 * Changes the organisation's settings and records `organization.settings-changed` (each changed setting,
 * before and after) in the same transaction; a request that changes nothing records nothing.
 */
export async function updateOrganizationSettings(
  ctx: DomainContext,
  input: { organizationId: string; actor: Actor; origin?: RequestOrigin; changes: Partial<OrganizationSettings> },
): Promise<OrganizationSettings> {
  checkLimit(input.changes.sessionIdleMinutes, 'sessionIdleMinutes', SESSION_POLICY_LIMITS.idleMinutes);
  checkLimit(input.changes.sessionAbsoluteHours, 'sessionAbsoluteHours', SESSION_POLICY_LIMITS.absoluteHours);
  checkLimit(input.changes.autoRemindDays, 'autoRemindDays', AUTO_REMIND_LIMITS);
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const row = await tx
      .selectFrom('organizations')
      .select(SETTINGS_COLUMNS)
      .where('id', '=', input.organizationId)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'no such organisation');
    const before = settingsOf(row);
    const after: OrganizationSettings = { ...before, ...input.changes };
    const changed = (Object.keys(before) as Array<keyof OrganizationSettings>).filter(
      (key) => before[key] !== after[key],
    );
    if (changed.length === 0) return before;
    // Sessions that already timed out stay ended: loosening the timeouts must not revive them.
    if (changed.includes('sessionIdleMinutes') || changed.includes('sessionAbsoluteHours'))
      await deleteOutlivedSessions(tx, ctx.clock.now(), input.organizationId);
    await tx
      .updateTable('organizations')
      .set({
        attach_certificate: after.attachCertificate ? 1 : 0,
        mfa_required: after.mfaRequired ? 1 : 0,
        session_idle_minutes: after.sessionIdleMinutes,
        session_absolute_hours: after.sessionAbsoluteHours,
        auto_remind_days: after.autoRemindDays,
      })
      .where('id', '=', input.organizationId)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'organization.settings-changed',
      origin: input.origin,
      at: ctx.clock.now(),
      details: Object.fromEntries(changed.map((key) => [key, { from: before[key], to: after[key] }])),
    });
    return after;
  });
}
