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
  'envelope.updated': '下書きを編集',
  'envelope.duplicated': '封筒を複製（新しい下書きを作成）',
  'envelope.resubmitted': '修正して再送（新しい下書きを作成）',
  'access_code.revealed': 'アクセスコードを再表示',
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

/** English labels of the same actions (the second language of the certificate, the CSV export and the UI). */
export const ACTION_LABELS_EN: Record<EventAction, string> = {
  'envelope.created': 'Envelope created',
  'envelope.sent': 'Envelope sent',
  'envelope.fields-set': 'Fields (seal, date…) placed',
  'organization.seal-changed': 'Organisation seal image changed',
  'envelope.updated': 'Draft edited',
  'envelope.duplicated': 'Envelope duplicated (new draft)',
  'envelope.resubmitted': 'Fix and resend (new draft)',
  'access_code.revealed': 'Access code shown again',
  'envelope.canceled': 'Envelope canceled',
  'envelope.completed': 'Completed',
  'envelope.declined': 'Ended by a decline',
  'envelope.expired': 'Expired',
  'envelope.sealed': 'Document timestamp added',
  'envelope.certificate-issued': 'Certificate of completion issued',
  'document.downloaded': 'Document downloaded',
  'certificate.downloaded': 'Certificate of completion downloaded',
  'mail.signing-request.sent': 'Signing request e-mailed',
  'mail.completion.sent': 'Completion notice e-mailed',
  'mail.locked.sent': 'Lock notice e-mailed',
  'mail.declined.sent': 'Decline notice e-mailed',
  'mail.unlocked.sent': 'Unlock notice e-mailed',
  'recipient.viewed': 'Documents viewed',
  'recipient.signed': 'Signed',
  'recipient.declined': 'Declined to sign',
  'recipient.locked': 'Locked after wrong access codes',
  'recipient.unlocked': 'Unlocked',
  'recipient.code-failed': 'Wrong access code',
  'recipient.code-passed': 'Authenticated with access code',
  'recipient.login-passed': 'Authenticated by sign-in',
  'recipient.resend-requested': 'Resend of the signing request requested',
  'recipient.signature-applied': 'Electronic signature applied',
  'session.signed-in': 'Signed in',
  'session.sign-in-failed': 'Sign-in failed',
  'session.signed-out': 'Signed out',
  'session.password-set': 'Password set',
  'apikey.created': 'API key created',
  'apikey.used': 'API key used',
  'apikey.revoked': 'API key revoked',
  'key.used': 'Signing key used',
  'organization.created': 'Organisation created',
  'organization.settings-changed': 'Organisation settings changed',
  'member.added': 'Member added',
  'member.role-changed': 'Member role changed',
  'login-link.created': 'Sign-in link issued',
  'organization.profile-changed': 'Organisation profile changed',
  'organization.logo-changed': 'Logo changed',
  'member.invited': 'Member invited',
  'member.invitation-revoked': 'Invitation revoked',
  'member.joined': 'Joined by invitation',
  'member.deactivated': 'Member deactivated',
  'member.reactivated': 'Member reactivated',
  'member.envelopes-transferred': 'Envelopes handed over',
  'member.sessions-ended': 'Member sessions ended',
  'mail.invitation.sent': 'Invitation mail sent',
  'mail.test-sent': 'Test mail sent',
  'account.signup-requested': 'Sign-up requested',
  'account.created': 'Account created',
  'account.password-reset-requested': 'Password reset requested',
  'account.password-reset': 'Password reset',
  'account.password-changed': 'Password changed',
  'account.profile-updated': 'Profile changed',
  'account.email-change-requested': 'E-mail change requested',
  'account.email-changed': 'E-mail address changed',
  'account.session-ended': 'Session ended',
  'account.organization-switched': 'Organisation switched',
  'account.exported': 'Account data exported',
  'account.deleted': 'Account deleted',
  'mfa.totp-enrolled': 'Authenticator app (TOTP) enrolled',
  'mfa.totp-removed': 'Authenticator app (TOTP) removed',
  'mfa.recovery-codes-generated': 'Recovery codes generated',
  'mfa.passkey-added': 'Passkey added',
  'organization.ip-allow-list-changed': 'IP allow-list changed',
  'sso.connection-changed': 'Single sign-on settings changed',
  'sso.connection-removed': 'Single sign-on removed',
  'sso.sign-in-refused': 'Single sign-on sign-in refused',
  'sso.account-provisioned': 'Account created through single sign-on',
  'sso.member-added': 'Member added through single sign-on',
  'mfa.passkey-removed': 'Passkey removed',
  'mfa.second-factor-used': 'Second factor used',
  'mfa.second-factor-failed': 'Second factor failed',
  'mail.account.sent': 'Account mail sent',
  'audit.anchored': 'Audit log timestamped',
  'audit.exported': 'Audit log exported',
  'job.failed': 'Background job failed',
  'job.retried': 'Background job retried',
  'contract.registered': 'Added to the contract register',
  'contract.updated': 'Register entry changed',
  'contract.imported': 'Contract imported',
  'contract.claimed': 'Stored in Inkan by a recipient',
  'contract.document-downloaded': 'Register document downloaded',
  'contract.reminder-queued': 'Deadline reminder queued',
  'register.field-defined': 'Register field defined',
  'register.settings-changed': 'Register settings changed',
};

/** The Japanese label of an action (the action itself when unknown). */
export function actionLabelJa(action: string): string {
  return (ACTION_LABELS_JA as Record<string, string>)[action] ?? action;
}

/** The label of an action in a language (the action itself when unknown). */
export function actionLabel(action: string, language: 'ja' | 'en'): string {
  const labels: Record<string, string> = language === 'ja' ? ACTION_LABELS_JA : ACTION_LABELS_EN;
  return labels[action] ?? action;
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
