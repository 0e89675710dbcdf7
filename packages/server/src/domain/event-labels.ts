import { en, ja, type MessageKey, type Messages } from '@inkan/core/messages';
import type { DbOrTx, Schema } from '../ports/database.ts';
import type { EventAction } from './record-event.ts';

/** Every action the server records has its label in the catalog (a compile error names one without). */
type ActionsWithoutLabel = Exclude<`action.${EventAction}`, MessageKey>;
const everyActionHasLabel: [ActionsWithoutLabel] extends [never] ? true : ActionsWithoutLabel = true;
void everyActionHasLabel;

/** The labels of the actions in one language: the catalog's `action.*` entries, which the UI shows too. */
function actionLabelsIn(catalog: Messages): Record<EventAction, string> {
  const labels: Record<string, string> = {};
  for (const [key, text] of Object.entries(catalog)) if (key.startsWith('action.')) labels[key.slice(7)] = text;
  return labels as Record<EventAction, string>;
}

/** Japanese labels of the operation log's actions (certificate of completion, CSV export, UI). */
export const ACTION_LABELS_JA = actionLabelsIn(ja);
/** English labels of the same actions. */
export const ACTION_LABELS_EN = actionLabelsIn(en);

/** The Japanese label of an action (the action itself when unknown). */
export function actionLabelJa(action: string): string {
  return actionLabel(action, 'ja');
}

/** The label of an action in a language (the action itself when unknown). */
export function actionLabel(action: string, language: 'ja' | 'en'): string {
  const labels: Record<string, string> = language === 'ja' ? ACTION_LABELS_JA : ACTION_LABELS_EN;
  return Object.prototype.hasOwnProperty.call(labels, action) ? labels[action]! : action;
}

/** Japanese names of the actor types. */
export const ACTOR_TYPE_LABELS_JA: Record<Schema['events']['actor_type'], string> = {
  user: ja['actor.user'],
  recipient: ja['actor.recipient'],
  api_key: ja['actor.api_key'],
  system: ja['actor.system'],
};

type EventRow = Pick<Schema['events'], 'actor_type' | 'actor_id'>;

/**
 * Display names of the actors of some events: users by name and e-mail, recipients by name and e-mail,
 * API keys by name and prefix; the system as "Inkan". Looked up in three queries, not one per event.
 */
export async function actorNames(db: DbOrTx, rows: readonly EventRow[]): Promise<(row: EventRow) => string> {
  const ids = (type: EventRow['actor_type']) => [
    ...new Set(rows.filter((r) => r.actor_type === type && r.actor_id).map((r) => r.actor_id!)),
  ];
  const userIds = ids('user');
  const recipientIds = ids('recipient');
  const keyIds = ids('api_key');
  const users = userIds.length
    ? await db.selectFrom('users').select(['id', 'name', 'email']).where('id', 'in', userIds).execute()
    : [];
  const recipients = recipientIds.length
    ? await db.selectFrom('recipients').select(['id', 'name', 'email']).where('id', 'in', recipientIds).execute()
    : [];
  const keys = keyIds.length
    ? await db.selectFrom('api_keys').select(['id', 'name', 'prefix']).where('id', 'in', keyIds).execute()
    : [];
  const names = new Map<string, string>([
    ...users.map((u) => [u.id, `${u.name} <${u.email}>`] as const),
    ...recipients.map((r) => [r.id, `${r.name} <${r.email}>`] as const),
    ...keys.map((k) => [k.id, `${k.name} (${k.prefix}…)`] as const),
  ]);
  return (row) => (row.actor_type === 'system' ? 'Inkan' : (names.get(row.actor_id ?? '') ?? row.actor_id ?? ''));
}
