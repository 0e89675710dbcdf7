import type { DbOrTx, Schema } from '../ports/database.ts';
import type { EventAction } from './record-event.ts';

/**
 * Japanese labels of the operation log's actions, as printed on the certificate of completion and in
 * the CSV export (the web UI has its own copy in packages/web/src/i18n). Unknown actions print as-is.
 */
export const ACTION_LABELS_JA: Record<EventAction, string> = {
  'envelope.created': '封筒を作成',
  'envelope.sent': '封筒を送信',
  'envelope.fields-set': '入力項目（印影・日付など）を配置',
  'organization.seal-changed': '組織の印影（社印・角印）を変更',
  'envelope.canceled': '封筒を取消',
  'envelope.completed': '締結完了',
  'envelope.declined': '拒否により終了',
  'envelope.expired': '有効期限切れ',
  'envelope.sealed': '文書タイムスタンプを付与（長期検証用に封印）',
  'envelope.certificate-issued': '契約締結証明書を発行',
  'document.downloaded': '文書をダウンロード',
  'certificate.downloaded': '契約締結証明書をダウンロード',
  'mail.signing-request.sent': '署名依頼メールを送信',
  'mail.completion.sent': '電子署名完了のお知らせを送信',
  'mail.locked.sent': 'ロックのお知らせを送信',
  'mail.declined.sent': '拒否のお知らせを送信',
  'mail.unlocked.sent': 'ロック解除のお知らせを送信',
  'recipient.viewed': '文書を閲覧',
  'recipient.signed': '署名',
  'recipient.declined': '署名を拒否',
  'recipient.locked': 'アクセスコードの入力ミスでロック',
  'recipient.unlocked': 'ロックを解除',
  'recipient.code-failed': 'アクセスコードの入力ミス',
  'recipient.code-passed': 'アクセスコードで本人確認',
  'recipient.login-passed': 'ログインで本人確認',
  'recipient.resend-requested': '署名依頼メールを再送',
  'recipient.signature-applied': '電子署名を付与',
  'session.signed-in': 'ログイン',
  'session.sign-in-failed': 'ログイン失敗',
  'session.signed-out': 'ログアウト',
  'session.password-set': 'パスワードを設定',
  'apikey.created': 'APIキーを作成',
  'apikey.used': 'APIキーを使用',
  'apikey.revoked': 'APIキーを失効',
  'key.used': '署名鍵を使用',
  'organization.created': '組織を作成',
  'organization.settings-changed': '組織の設定を変更',
  'member.added': 'メンバーを追加',
  'member.role-changed': 'メンバーの権限を変更',
  'login-link.created': 'ログインリンクを発行',
  'organization.profile-changed': '組織情報を変更',
  'organization.logo-changed': 'ロゴを変更',
  'member.invited': 'メンバーを招待',
  'member.invitation-revoked': '招待を取消',
  'member.joined': '招待を受けて参加',
  'member.deactivated': 'メンバーを無効化',
  'member.reactivated': 'メンバーを再有効化',
  'member.envelopes-transferred': '封筒を引き継ぎ',
  'member.sessions-ended': 'メンバーのセッションを終了',
  'mail.invitation.sent': '招待メールを送信',
  'mail.test-sent': 'テストメールを送信',
  'account.signup-requested': 'アカウント登録を申込',
  'account.created': 'アカウントを登録',
  'account.password-reset-requested': 'パスワード再設定を申込',
  'account.password-reset': 'パスワードを再設定',
  'account.password-changed': 'パスワードを変更',
  'account.profile-updated': 'プロフィールを変更',
  'account.email-change-requested': 'メールアドレス変更を申込',
  'account.email-changed': 'メールアドレスを変更',
  'account.session-ended': 'セッションを終了',
  'account.organization-switched': '組織を切り替え',
  'account.exported': 'アカウントのデータをエクスポート',
  'account.deleted': 'アカウントを削除',
  'mfa.totp-enrolled': '認証アプリ（TOTP）を登録',
  'mfa.totp-removed': '認証アプリ（TOTP）を削除',
  'mfa.recovery-codes-generated': 'リカバリーコードを発行',
  'mfa.passkey-added': 'パスキーを登録',
  'organization.ip-allow-list-changed': 'IP制限を変更',
  'sso.connection-changed': 'シングルサインオンの設定を変更',
  'sso.connection-removed': 'シングルサインオンの設定を削除',
  'sso.domain-verified': 'ドメインの所有を DNS で確認',
  'sso.sign-in-refused': 'シングルサインオンでのログインを拒否',
  'sso.account-provisioned': 'シングルサインオンでアカウントを作成',
  'sso.member-added': 'シングルサインオンでメンバーに追加',
  'mfa.passkey-removed': 'パスキーを削除',
  'mfa.second-factor-used': '二要素認証で本人確認',
  'mfa.second-factor-failed': '二要素認証に失敗',
  'mail.account.sent': 'アカウントのお知らせを送信',
  'audit.anchored': '操作ログにタイムスタンプを付与',
  'audit.exported': '操作ログをエクスポート',
  'job.failed': 'バックグラウンド処理が失敗',
  'job.retried': 'バックグラウンド処理を再実行',
  'contract.registered': '契約台帳に登録',
  'contract.updated': '契約台帳の項目を変更',
  'contract.imported': '契約書を取り込み',
  'contract.claimed': '受信者がInkanで保管',
  'contract.document-downloaded': '契約台帳の文書をダウンロード',
  'contract.reminder-queued': '期限のお知らせを送信予約',
  'register.field-defined': '契約台帳の項目を定義',
  'register.settings-changed': '契約台帳の設定を変更',
};

/** The Japanese label of an action (the action itself when unknown). */
export function actionLabelJa(action: string): string {
  return (ACTION_LABELS_JA as Record<string, string>)[action] ?? action;
}

/** Japanese names of the actor types. */
export const ACTOR_TYPE_LABELS_JA: Record<Schema['events']['actor_type'], string> = {
  user: 'ユーザー',
  recipient: '署名者',
  api_key: 'APIキー',
  system: 'システム',
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
