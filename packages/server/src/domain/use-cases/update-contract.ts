import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { canBeAssigned } from '../register/contract-members.ts';
import {
  CONTRACT_LIMITS,
  CONTRACT_STATUSES,
  counterpartyNorm,
  findContractRow,
  scopeKey,
  searchNorm,
  toContracts,
  type Contract,
  type ContractScope,
  type ContractStatus,
} from '../register/contract-model.ts';
import { requireAmount, requireDate } from '../register/contract-search.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { newId } from '../../security/tokens.ts';

/** The editable fields of an entry (PATCH body); absent = unchanged, null = cleared. */
export interface ContractChanges {
  title?: string;
  counterparties?: string[];
  signedOn?: string | null;
  startOn?: string | null;
  endOn?: string | null;
  noticeOn?: string | null;
  amount?: string | number | null;
  currency?: string;
  tax?: 'included' | 'excluded' | null;
  autoRenew?: boolean;
  renewalMonths?: number | null;
  contractType?: string | null;
  referenceNumber?: string | null;
  owner?: string | null;
  memo?: string;
  status?: ContractStatus;
  tags?: string[];
  watchers?: string[];
  fields?: Record<string, string | number | null>;
}

/** A change-maker of the register: a user or an API key (history and operation log name it). */
export type RegisterActor = Extract<Actor, { type: 'user' } | { type: 'api_key' }>;

/** The validated, canonical form of the changes (dates ISO, amount integer, lists sorted and unique). */
export type CanonicalChanges = Omit<ContractChanges, 'amount' | 'fields'> & {
  amount?: number | null;
  fields?: Record<string, string | null>;
};

function text(field: string, value: string, max: number, allowEmpty = false): string {
  const trimmed = value.normalize('NFC').trim();
  if (!allowEmpty && trimmed === '') throw new AppError('VALIDATION_FAILED', `${field} must not be empty`, { field });
  if (trimmed.length > max)
    throw new AppError('VALIDATION_FAILED', `${field} is longer than ${max} characters`, { field });
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(trimmed))
    throw new AppError('VALIDATION_FAILED', `${field} contains control characters`, { field });
  return trimmed;
}

function optionalText(field: string, value: string | null, max: number): string | null {
  if (value === null) return null;
  const t = text(field, value, max, true);
  return t === '' ? null : t;
}

function uniqueSorted(list: string[]): string[] {
  return [...new Set(list)].sort();
}

/**
 * Validates changes against the register's rules (bad input: a stable code, nothing written). Dates
 * accept 2026-04-01 and 令和8年4月1日; amounts １，２３４，５６７円, 1,234,567, ¥1,234,567.
 */
export async function canonicalChanges(
  ctx: Pick<DomainContext, 'db'>,
  scope: ContractScope,
  changes: ContractChanges,
): Promise<CanonicalChanges> {
  const out: CanonicalChanges = {};
  if (changes.title !== undefined) out.title = text('title', changes.title, CONTRACT_LIMITS.title);
  if (changes.counterparties !== undefined) {
    if (changes.counterparties.length > CONTRACT_LIMITS.counterparties)
      throw new AppError('VALIDATION_FAILED', 'too many counterparties', { field: 'counterparties' });
    out.counterparties = [
      ...new Set(changes.counterparties.map((name) => text('counterparties', name, CONTRACT_LIMITS.counterparty))),
    ];
  }
  for (const field of ['signedOn', 'startOn', 'endOn', 'noticeOn'] as const) {
    const value = changes[field];
    if (value !== undefined) out[field] = value === null || value.trim() === '' ? null : requireDate(field, value);
  }
  if (changes.amount !== undefined)
    out.amount =
      changes.amount === null || String(changes.amount).trim() === ''
        ? null
        : requireAmount('amount', String(changes.amount));
  if (changes.currency !== undefined) {
    if (!/^[A-Z]{3}$/.test(changes.currency))
      throw new AppError('VALIDATION_FAILED', 'currency must be an ISO 4217 code such as JPY', { field: 'currency' });
    out.currency = changes.currency;
  }
  if (changes.tax !== undefined) out.tax = changes.tax;
  if (changes.autoRenew !== undefined) out.autoRenew = changes.autoRenew;
  if (changes.renewalMonths !== undefined) {
    if (
      changes.renewalMonths !== null &&
      (!Number.isInteger(changes.renewalMonths) || changes.renewalMonths < 1 || changes.renewalMonths > 120)
    ) {
      throw new AppError('VALIDATION_FAILED', 'renewalMonths must be 1–120', { field: 'renewalMonths' });
    }
    out.renewalMonths = changes.renewalMonths;
  }
  if (changes.contractType !== undefined)
    out.contractType = optionalText('contractType', changes.contractType, CONTRACT_LIMITS.text);
  if (changes.referenceNumber !== undefined)
    out.referenceNumber = optionalText('referenceNumber', changes.referenceNumber, CONTRACT_LIMITS.text);
  if (changes.memo !== undefined) out.memo = text('memo', changes.memo, CONTRACT_LIMITS.memo, true);
  if (changes.status !== undefined) {
    if (!CONTRACT_STATUSES.includes(changes.status))
      throw new AppError('VALIDATION_FAILED', `status must be one of ${CONTRACT_STATUSES.join(', ')}`, {
        field: 'status',
      });
    out.status = changes.status;
  }
  if (changes.tags !== undefined) {
    if (changes.tags.length > CONTRACT_LIMITS.tags)
      throw new AppError('VALIDATION_FAILED', 'too many tags', { field: 'tags' });
    out.tags = uniqueSorted(changes.tags.map((tag) => text('tags', tag.normalize('NFKC'), CONTRACT_LIMITS.tag)));
  }
  if (changes.owner !== undefined) {
    if (changes.owner !== null && !(await canBeAssigned(ctx.db, scope, changes.owner)))
      throw new AppError('VALIDATION_FAILED', 'owner is not a member of this register', { field: 'owner' });
    out.owner = changes.owner;
  }
  if (changes.watchers !== undefined) {
    if (changes.watchers.length > CONTRACT_LIMITS.watchers)
      throw new AppError('VALIDATION_FAILED', 'too many watchers', { field: 'watchers' });
    const watchers = uniqueSorted(changes.watchers);
    for (const userId of watchers)
      if (!(await canBeAssigned(ctx.db, scope, userId)))
        throw new AppError('VALIDATION_FAILED', 'a watcher is not a member of this register', { field: 'watchers' });
    out.watchers = watchers;
  }
  if (changes.fields !== undefined) out.fields = await canonicalFieldValues(ctx, scope, changes.fields);
  return out;
}

async function canonicalFieldValues(
  ctx: Pick<DomainContext, 'db'>,
  scope: ContractScope,
  values: Record<string, string | number | null>,
): Promise<Record<string, string | null>> {
  const keys = Object.keys(values);
  if (keys.length === 0) return {};
  if (scope.kind !== 'organization')
    throw new AppError('VALIDATION_FAILED', 'custom fields belong to organisation registers', { field: 'fields' });
  const definitions = await ctx.db
    .selectFrom('contract_field_definitions')
    .selectAll()
    .where('organization_id', '=', scope.organizationId)
    .execute();
  const out: Record<string, string | null> = {};
  for (const key of keys) {
    const field = `field.${key}`;
    const definition = definitions.find((d) => d.key === key);
    if (!definition) throw new AppError('VALIDATION_FAILED', `no custom field ${key}`, { field });
    const raw = values[key];
    if (raw === null || String(raw).trim() === '') {
      out[key] = null;
      continue;
    }
    const value = String(raw);
    switch (definition.type) {
      case 'number':
        out[key] = String(requireAmount(field, value));
        break;
      case 'date':
        out[key] = requireDate(field, value);
        break;
      case 'choice': {
        const choices = JSON.parse(definition.choices) as string[];
        if (!choices.includes(value))
          throw new AppError('VALIDATION_FAILED', `${field} must be one of ${choices.join(', ')}`, { field });
        out[key] = value;
        break;
      }
      default:
        out[key] = text(field, value, CONTRACT_LIMITS.memo);
    }
  }
  return out;
}

const COLUMN_OF = {
  title: 'title',
  signedOn: 'signed_on',
  startOn: 'start_on',
  endOn: 'end_on',
  noticeOn: 'notice_on',
  amount: 'amount',
  currency: 'currency',
  tax: 'tax',
  renewalMonths: 'renewal_months',
  contractType: 'contract_type',
  referenceNumber: 'reference_number',
  owner: 'assignee_user_id',
  memo: 'memo',
  status: 'status',
} as const;

/**
 * PATCH of an entry: validates everything first (nothing is written on bad input), then in ONE
 * transaction updates the entry, appends exactly one history row per field whose value changed, and
 * records `contract.updated`. A change to nothing writes nothing.
 */
export async function updateContract(
  ctx: DomainContext,
  input: {
    scope: ContractScope;
    contractId: string;
    changes: ContractChanges;
    actor: RegisterActor;
    origin?: RequestOrigin;
  },
): Promise<Contract> {
  await findContractRow(ctx.db, input.scope, input.contractId);
  const changes = await canonicalChanges(ctx, input.scope, input.changes);
  if (changes.signedOn !== undefined) {
    const row = await findContractRow(ctx.db, input.scope, input.contractId);
    // 締結日 of a contract signed in Inkan is the completion time: a fact, not an editable field.
    if (row.source !== 'import')
      throw new AppError('VALIDATION_FAILED', '締結日 (signedOn) of a contract signed in Inkan cannot be changed', {
        field: 'signedOn',
      });
  }
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const row = await findContractRow(tx, input.scope, input.contractId);
    const [current] = await toContracts(tx, [row]);
    const start = changes.startOn !== undefined ? changes.startOn : current!.startOn;
    const end = changes.endOn !== undefined ? changes.endOn : current!.endOn;
    if (start && end && end < start) throw new AppError('DATE_ORDER', 'endOn is before startOn', { field: 'endOn' });
    const now = ctx.clock.now().toISOString();
    const history: Array<{ field: string; old: unknown; new: unknown }> = [];
    const set: Record<string, unknown> = {};
    for (const [field, column] of Object.entries(COLUMN_OF) as Array<[keyof typeof COLUMN_OF, string]>) {
      const next = changes[field];
      if (next === undefined) continue;
      const old = current![field];
      if (old === next) continue;
      set[column] = next;
      history.push({ field, old, new: next });
    }
    if (changes.autoRenew !== undefined && changes.autoRenew !== current!.autoRenew) {
      set.auto_renew = changes.autoRenew ? 1 : 0;
      history.push({ field: 'autoRenew', old: current!.autoRenew, new: changes.autoRenew });
    }
    if (
      changes.counterparties !== undefined &&
      JSON.stringify(changes.counterparties) !== JSON.stringify(current!.counterparties)
    ) {
      set.counterparties = JSON.stringify(changes.counterparties);
      set.counterparty_norm = counterpartyNorm(changes.counterparties);
      history.push({ field: 'counterparties', old: current!.counterparties, new: changes.counterparties });
    }
    const scope = scopeKey(input.scope);
    if (changes.tags !== undefined && JSON.stringify(changes.tags) !== JSON.stringify(current!.tags)) {
      await tx.deleteFrom('contract_tags').where('contract_id', '=', row.id).execute();
      if (changes.tags.length)
        await tx
          .insertInto('contract_tags')
          .values(changes.tags.map((tag) => ({ contract_id: row.id, scope, tag })))
          .execute();
      history.push({ field: 'tags', old: current!.tags, new: changes.tags });
    }
    if (changes.watchers !== undefined && JSON.stringify(changes.watchers) !== JSON.stringify(current!.watchers)) {
      await tx.deleteFrom('contract_watchers').where('contract_id', '=', row.id).execute();
      if (changes.watchers.length)
        await tx
          .insertInto('contract_watchers')
          .values(changes.watchers.map((user_id) => ({ contract_id: row.id, user_id })))
          .execute();
      history.push({ field: 'watchers', old: current!.watchers, new: changes.watchers });
    }
    for (const [key, value] of Object.entries(changes.fields ?? {})) {
      const old = current!.fields[key] === undefined ? null : String(current!.fields[key]);
      if (old === value) continue;
      await tx.deleteFrom('contract_field_values').where('contract_id', '=', row.id).where('key', '=', key).execute();
      if (value !== null)
        await tx.insertInto('contract_field_values').values({ contract_id: row.id, scope, key, value }).execute();
      history.push({ field: `field.${key}`, old: current!.fields[key] ?? null, new: value });
    }
    if (history.length === 0) return current!;
    set.updated_at = now;
    await tx.updateTable('contracts').set(set).where('id', '=', row.id).execute();
    if (set.title !== undefined || set.counterparties !== undefined) {
      const text = await tx
        .selectFrom('contract_texts')
        .select('extracted')
        .where('contract_id', '=', row.id)
        .executeTakeFirst();
      const title = (set.title as string | undefined) ?? current!.title;
      const counterparties = changes.counterparties ?? current!.counterparties;
      await tx
        .updateTable('contract_texts')
        .set({ search_norm: searchNorm(title, counterparties, text?.extracted ?? '') })
        .where('contract_id', '=', row.id)
        .execute();
    }
    await tx
      .insertInto('contract_history')
      .values(
        history.map((h) => ({
          id: newId(),
          contract_id: row.id,
          actor_type: input.actor.type,
          actor_id: input.actor.id,
          field: h.field,
          old_value: JSON.stringify(h.old ?? null),
          new_value: JSON.stringify(h.new ?? null),
          created_at: now,
        })),
      )
      .execute();
    await recordEvent(tx, {
      organizationId: row.organization_id,
      actor: input.actor,
      action: 'contract.updated',
      origin: input.origin,
      details: { contractId: row.id, fields: history.map((h) => h.field) },
      at: ctx.clock.now(),
    });
    const [updated] = await toContracts(tx, [{ ...row, ...(await findContractRow(tx, input.scope, row.id)) }]);
    return updated!;
  });
}
