/*
 * The ONE place where error codes become HTTP statuses and messages (Japanese or English, by the
 * request's Accept-Language). Domain code throws AppError; the signing core throws CoreError; Fastify
 * and its plugins throw their own errors: all of them leave here as
 * `{ "error": { "code", "message", "details"? } }`, and nothing else about an unexpected error leaks.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isCoreError } from '@inkan/core';
import { AppError, type AppErrorCode } from '../domain/app-error.ts';

/** HTTP status of each stable code. */
export const STATUS_OF: Record<AppErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_EMAIL: 400,
  DUPLICATE_ORDER: 400,
  ORDER_GAP: 400,
  RECIPIENT_IS_CC: 409,
  REMINDER_TOO_SOON: 429,
  INVALID_ACCESS_CODE_FORMAT: 400,
  NO_DOCUMENTS: 400,
  NO_RECIPIENTS: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  ACCESS_CODE_WRONG: 401,
  PASSWORD_TOO_SHORT: 400,
  PASSWORD_TOO_COMMON: 400,
  PASSWORD_WRONG: 403,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  LINK_INVALID: 404,
  ENVELOPE_NOT_DRAFT: 409,
  ENVELOPE_NOT_ACTIVE: 409,
  ENVELOPE_STILL_ACTIVE: 409,
  ACCESS_CODE_SENDER_ONLY: 403,
  ACCESS_CODE_UNAVAILABLE: 409,
  JOB_NOT_FAILED: 409,
  NOT_YOUR_TURN: 409,
  ALREADY_SIGNED: 409,
  LINK_EXPIRED: 410,
  DOCUMENT_SHREDDED: 410,
  LEGAL_HOLD_EXISTS: 409,
  NO_LEGAL_HOLD: 409,
  INVALID_AMOUNT: 400,
  INVALID_DATE: 400,
  DATE_ORDER: 400,
  CLAIM_INVALID: 404,
  CLAIM_EXPIRED: 410,
  CLAIM_ALREADY_USED: 409,
  SIGNUP_LINK_EXPIRED: 410,
  RESET_LINK_EXPIRED: 410,
  EMAIL_LINK_EXPIRED: 410,
  EMAIL_TAKEN: 409,
  LAST_ADMIN: 409,
  ALREADY_MEMBER: 409,
  API_KEY_SCOPE: 403,
  SECOND_FACTOR_WRONG: 401,
  SECOND_FACTOR_EXPIRED: 410,
  MFA_ENROLMENT_REQUIRED: 403,
  STEP_UP_REQUIRED: 403,
  PASSKEY_FAILED: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PDF_INVALID: 422,
  PDF_ENCRYPTED: 422,
  PDF_TOO_COMPLEX: 422,
  ACCESS_CODE_LOCKED: 423,
  RATE_LIMITED: 429,
  IP_NOT_ALLOWED: 403,
  IP_LIST_LOCKOUT: 409,
  SSO_REQUIRED: 403,
  SSO_NOT_CONFIGURED: 404,
  SSO_FAILED: 400,
  SSO_ACCOUNT_REFUSED: 403,
  SSO_DOMAIN_TAKEN: 409,
  SSO_DOMAIN_REFUSED: 400,
  SSO_DOMAIN_RECORD_NOT_FOUND: 422,
  SSO_DOMAIN_RECORD_MISMATCH: 422,
  SSO_DOMAIN_LOOKUP_FAILED: 502,
  SSO_BREAK_GLASS_INVALID: 400,
  FIELD_INVALID: 400,
  FIELD_REQUIRED: 400,
  IMAGE_INVALID: 400,
  CONTACT_NOT_REGISTERED: 409,
  ACCESS_CODE_REGISTERED: 409,
  ACCESS_CODE_WEAK: 400,
  ACCESS_CODE_MISMATCH: 400,
  REGISTRATION_LINK_INVALID: 404,
  REGISTRATION_LINK_EXPIRED: 410,
  WEBHOOK_URL_INVALID: 400,
  WEBHOOK_TARGET_REFUSED: 400,
  WEBHOOK_LIMIT: 409,
  WEBHOOK_DELIVERY_PENDING: 409,
  SIGNING_CERTIFICATE_INVALID: 400,
  SIGNING_CERTIFICATE_PASSWORD: 400,
  SIGNING_CERTIFICATE_MISSING: 409,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  VERIFY_BUSY: 503,
};

type Details = Record<string, unknown> | undefined;

const LOGO_TEXT = { ja: '256 KB、1024×1024 ピクセル', en: '256 KB, 1024×1024 pixels' } as const;
type Message = string | ((details: Details) => string);

const doc = (d: Details, fallback: string): string => (typeof d?.document === 'string' ? d.document : fallback);

/** 「…にお問い合わせください」 naming the sender in an expired claim's details. */
function senderOf(d: Details, language: 'ja' | 'en'): string {
  const sender = d?.sender as { organization?: unknown; name?: unknown; email?: unknown } | undefined;
  if (!sender || typeof sender.organization !== 'string')
    return language === 'ja' ? '送信者にお問い合わせください。' : ' Please contact the sender.';
  const who = `${sender.organization}${typeof sender.name === 'string' ? ` ${sender.name}` : ''}${typeof sender.email === 'string' ? ` <${sender.email}>` : ''}`;
  return language === 'ja' ? `送信者（${who}）にお問い合わせください。` : ` Please contact the sender (${who}).`;
}

/** User-facing messages; they may use the error's details (never secrets). */
const MESSAGES: Record<AppErrorCode, { ja: Message; en: Message }> = {
  VALIDATION_FAILED: {
    ja: (d) => `入力内容に誤りがあります${typeof d?.field === 'string' ? `（${d.field}）` : ''}。`,
    en: (d) => `The input is not valid${typeof d?.field === 'string' ? ` (${d.field})` : ''}.`,
  },
  INVALID_EMAIL: { ja: 'メールアドレスの形式が正しくありません。', en: 'The e-mail address is not valid.' },
  DUPLICATE_ORDER: {
    ja: '署名順が重複しています。署名者ごとに異なる順番を指定してください。',
    en: 'Two recipients have the same signing order; give each a different one.',
  },
  ORDER_GAP: {
    ja: (d) =>
      `署名順に抜けがあります${typeof d?.missing === 'number' ? `（${d.missing}番目の署名者がいません）` : ''}。1から順に指定してください。同じ番号の署名者は並行して署名できます。`,
    en: (d) =>
      `The signing orders have a gap${typeof d?.missing === 'number' ? ` (no signer has order ${d.missing})` : ''}; number them 1, 2, 3 … (signers with the same number sign in parallel).`,
  },
  RECIPIENT_IS_CC: {
    ja: 'CC（受信者）は署名しません。完了のお知らせとダウンロードのみを受け取ります。',
    en: 'A CC recipient never signs; they receive the completion mail and the download only.',
  },
  REMINDER_TOO_SOON: {
    ja: 'リマインドは送ったばかりです。しばらく時間をおいてから送ってください。',
    en: 'A reminder was sent only recently; please wait a while before sending another.',
  },
  INVALID_ACCESS_CODE_FORMAT: {
    ja: (d) => `アクセスコードは${typeof d?.min === 'number' ? d.min : 4}〜8桁の数字で入力してください。`,
    en: (d) => `The access code must be ${typeof d?.min === 'number' ? d.min : 4} to 8 digits.`,
  },
  NO_DOCUMENTS: { ja: 'PDFファイルを1つ以上添付してください。', en: 'Attach at least one PDF document.' },
  NO_RECIPIENTS: { ja: '署名者を1人以上指定してください。', en: 'Add at least one recipient.' },
  UNAUTHENTICATED: { ja: 'ログインが必要です。', en: 'Please sign in.' },
  INVALID_CREDENTIALS: {
    ja: 'メールアドレスまたはパスワードが正しくありません。',
    en: 'The e-mail address or password is wrong.',
  },
  ACCESS_CODE_WRONG: {
    ja: (d) =>
      `アクセスコードが正しくありません。${typeof d?.remainingAttempts === 'number' ? `あと${d.remainingAttempts}回間違えるとロックされます。` : ''}`,
    en: (d) =>
      `The access code is wrong.${typeof d?.remainingAttempts === 'number' ? ` ${d.remainingAttempts} more wrong ${d.remainingAttempts === 1 ? 'try locks' : 'tries lock'} the link.` : ''}`,
  },
  FORBIDDEN: {
    ja: (d) =>
      d?.reason === 'personal-account'
        ? '個人アカウントではこの操作はできません。組織のメンバーとしてログインしてください。'
        : d?.reason === 'session-required'
          ? 'この操作にはブラウザでのログインが必要です（APIキーは使えません）。'
          : d?.reason === 'self'
            ? '自分自身を無効にすることはできません。'
            : d?.reason === 'invitation-account'
              ? '招待されたメールアドレスのアカウントでログインしてから、招待を受けてください。'
              : 'この操作を行う権限がありません。',
    en: (d) =>
      d?.reason === 'personal-account'
        ? 'A personal account cannot do this: sign in as a member of an organisation.'
        : d?.reason === 'session-required'
          ? 'This needs a signed-in browser session (API keys cannot do it).'
          : d?.reason === 'self'
            ? 'You cannot deactivate yourself.'
            : d?.reason === 'invitation-account'
              ? 'Sign in with the invited address first, then accept the invitation.'
              : 'You are not allowed to do this.',
  },
  PASSWORD_TOO_SHORT: {
    ja: (d) =>
      `パスワードは${typeof d?.min === 'number' ? d.min : 10}文字以上${typeof d?.max === 'number' ? `、${d.max}文字以下` : ''}で入力してください。`,
    en: (d) =>
      `The password must be at least ${typeof d?.min === 'number' ? d.min : 10} characters${typeof d?.max === 'number' ? ` and at most ${d.max}` : ''}.`,
  },
  PASSWORD_TOO_COMMON: {
    ja: 'このパスワードはよく使われているため使えません。推測されにくいパスワードにしてください。',
    en: 'This password is too common. Please choose one that is harder to guess.',
  },
  PASSWORD_WRONG: { ja: 'パスワードが正しくありません。', en: 'The password is wrong.' },
  DOCUMENT_SHREDDED: {
    ja: 'この文書は保存期間の満了により消去されました（暗号鍵を破棄したため、誰も復号できません）。消去の記録は操作ログに残っています。',
    en: 'This document was erased at the end of its retention period (its encryption key was destroyed, so no one can decrypt it). The operation log keeps the record of the erasure.',
  },
  LEGAL_HOLD_EXISTS: {
    ja: 'この文書にはすでにリーガルホールドが設定されています。',
    en: 'A legal hold is already in place on this document.',
  },
  NO_LEGAL_HOLD: {
    ja: 'この文書にはリーガルホールドが設定されていません。',
    en: 'There is no legal hold on this document.',
  },
  SIGNUP_LINK_EXPIRED: {
    ja: 'このアカウント登録のURLは使用済みか、有効期限（24時間）が切れています。もう一度登録をお申し込みください。',
    en: 'This sign-up link was used or has expired (24 hours). Please sign up again.',
  },
  RESET_LINK_EXPIRED: {
    ja: 'このパスワード再設定のURLは使用済みか、有効期限（1時間）が切れています。もう一度お申し込みください。',
    en: 'This password reset link was used or has expired (1 hour). Please request a new one.',
  },
  EMAIL_LINK_EXPIRED: {
    ja: 'このメールアドレス変更のURLは使用済みか、有効期限が切れています。もう一度変更をお申し込みください。',
    en: 'This e-mail change link was used or has expired. Please request the change again.',
  },
  EMAIL_TAKEN: {
    ja: 'このメールアドレスは別のアカウントで使われています。',
    en: 'This e-mail address belongs to another account.',
  },
  SECOND_FACTOR_WRONG: {
    ja: '確認コードが正しくないか、すでに使用されています。',
    en: 'The code is wrong or has been used already.',
  },
  SECOND_FACTOR_EXPIRED: {
    ja: 'ログインの手続きの有効期限が切れました。もう一度ログインしてください。',
    en: 'The sign-in has expired; please sign in again.',
  },
  MFA_ENROLMENT_REQUIRED: {
    ja: '組織の設定により、続けるには二要素認証の設定が必要です。アカウントのセキュリティ設定で登録してください。',
    en: 'Your organisation requires a second factor: set one up in your account security settings to continue.',
  },
  STEP_UP_REQUIRED: {
    ja: 'この操作の前に、二要素認証でもう一度本人確認をしてください。',
    en: 'Confirm it is you with your second factor before this action.',
  },
  PASSKEY_FAILED: {
    ja: 'パスキーを確認できませんでした。もう一度お試しください。',
    en: 'The passkey could not be verified; please try again.',
  },
  IP_NOT_ALLOWED: {
    ja: (d) =>
      `この組織は、許可された IP アドレスからの利用だけを認めています${typeof d?.address === 'string' ? `（現在のアドレス：${d.address}）` : ''}。社内ネットワークから接続するか、組織の管理者にお問い合わせください。`,
    en: (d) =>
      `This organisation allows access only from approved IP addresses${typeof d?.address === 'string' ? ` (your address: ${d.address})` : ''}. Connect from your organisation's network or contact its administrator.`,
  },
  IP_LIST_LOCKOUT: {
    ja: (d) =>
      `このリストでは、いま操作しているあなた自身のアドレス${typeof d?.address === 'string' ? `（${d.address}）` : ''}が締め出されます。現在のアドレスを含めてから保存してください。`,
    en: (d) =>
      `This list would lock you out: your current address${typeof d?.address === 'string' ? ` (${d.address})` : ''} is not in it. Include it before saving.`,
  },
  SSO_REQUIRED: {
    ja: 'このメールアドレスのドメインは組織のシングルサインオン（SSO）でログインする設定です。ログイン画面の「シングルサインオンを使う（SSO）」からログインしてください。',
    en: 'Accounts of this e-mail domain sign in through the organisation\'s single sign-on (SSO). Use "Use single sign-on (SSO)" on the sign-in page.',
  },
  SSO_NOT_CONFIGURED: {
    ja: 'このメールアドレスのドメインにはシングルサインオンが設定されていません。パスワードでログインしてください。',
    en: 'No single sign-on is set up for this e-mail domain. Sign in with your password.',
  },
  SSO_FAILED: {
    ja: 'シングルサインオンの応答を確認できなかったため、ログインできませんでした。もう一度ログインからやり直してください。',
    en: 'The single sign-on response could not be verified, so you were not signed in. Please start the sign-in again.',
  },
  SSO_ACCOUNT_REFUSED: {
    ja: 'このアカウントはシングルサインオンでこの組織にログインできません。組織の管理者にお問い合わせください。',
    en: "This account cannot sign in to the organisation through single sign-on. Contact the organisation's administrator.",
  },
  SSO_DOMAIN_TAKEN: {
    ja: (d) => `ドメイン「${typeof d?.domain === 'string' ? d.domain : ''}」はすでに別の組織が登録しています。`,
    en: (d) => `The domain "${typeof d?.domain === 'string' ? d.domain : ''}" is claimed by another organisation.`,
  },
  SSO_DOMAIN_REFUSED: {
    ja: (d) =>
      `ドメイン「${typeof d?.domain === 'string' ? d.domain : ''}」は登録できません。登録できるのは、設定する管理者自身のメールアドレスのドメインです。`,
    en: (d) =>
      `The domain "${typeof d?.domain === 'string' ? d.domain : ''}" cannot be claimed: an administrator can claim the domain of their own e-mail address.`,
  },
  SSO_DOMAIN_RECORD_NOT_FOUND: {
    ja: (d) =>
      `TXT レコード「${typeof d?.name === 'string' ? d.name : ''}」が見つかりません。DNS に登録してから、反映を待って（数分〜数時間）もう一度確認してください。`,
    en: (d) =>
      `No TXT record "${typeof d?.name === 'string' ? d.name : ''}" was found. Add it to your DNS, wait until it is published (minutes to hours) and check again.`,
  },
  SSO_DOMAIN_RECORD_MISMATCH: {
    ja: (d) =>
      `TXT レコード「${typeof d?.name === 'string' ? d.name : ''}」はありますが、値が違います。表示されている値をそのまま登録してください。`,
    en: (d) =>
      `The TXT record "${typeof d?.name === 'string' ? d.name : ''}" exists but holds another value. Enter the value shown exactly.`,
  },
  SSO_DOMAIN_LOOKUP_FAILED: {
    ja: (d) =>
      `DNS サーバーから回答を得られませんでした（${typeof d?.reason === 'string' ? d.reason : ''}）。しばらくしてからもう一度確認してください。`,
    en: (d) =>
      `The DNS server gave no answer (${typeof d?.reason === 'string' ? d.reason : ''}). Check again in a while.`,
  },
  SSO_BREAK_GLASS_INVALID: {
    ja: '緊急用管理者には、二要素認証を設定済みのこの組織の管理者を選んでください。',
    en: 'The break-glass account must be an administrator of this organisation with a second factor set up.',
  },
  LAST_ADMIN: {
    ja: (d) =>
      typeof d?.organization !== 'string'
        ? '組織には有効な管理者が1人以上必要です。先に別のメンバーを管理者にしてください。'
        : `このアカウントは組織「${typeof d?.organization === 'string' ? d.organization : ''}」の最後の管理者のため削除できません。先に別の管理者を指名してください。`,
    en: (d) =>
      typeof d?.organization !== 'string'
        ? 'The organisation needs at least one active administrator: make someone else an administrator first.'
        : `This account is the last administrator of "${typeof d?.organization === 'string' ? d.organization : ''}" and cannot be deleted. Make someone else an administrator first.`,
  },
  CSRF_FAILED: {
    ja: '画面を再読み込みしてから、もう一度お試しください。',
    en: 'Please reload the page and try again.',
  },
  NOT_FOUND: { ja: '見つかりません。', en: 'Not found.' },
  LINK_INVALID: {
    ja: 'このURLは無効です。メールに記載のURLをご確認ください。',
    en: 'This link is not valid. Please check the link in your e-mail.',
  },
  ENVELOPE_NOT_DRAFT: {
    ja: 'この封筒は送信済みのため変更できません。変更するには「複製」で新しい下書きを作成してください。',
    en: 'This envelope has already been sent and cannot be changed. Use "Duplicate" to make a new draft.',
  },
  ENVELOPE_STILL_ACTIVE: {
    ja: '「修正して再送」は、拒否・取消・期限切れになった封筒でのみ使えます。',
    en: '"Fix and resend" is only for envelopes that were declined, canceled or expired.',
  },
  ACCESS_CODE_SENDER_ONLY: {
    ja: 'アクセスコードを再表示できるのは、この封筒の送信者だけです。',
    en: 'Only the sender of this envelope can see its access codes again.',
  },
  ACCESS_CODE_UNAVAILABLE: {
    ja: 'このアクセスコードは表示できません（ログインで本人確認する受信者、署名済み、または保存前に作成された封筒です）。必要なら新しいコードを設定してください。',
    en: 'This access code cannot be shown (the recipient signs in, has signed, or the envelope predates stored codes). Set a new code if needed.',
  },
  ENVELOPE_NOT_ACTIVE: {
    ja: 'この封筒は現在操作できません（完了・拒否・取消・期限切れ）。',
    en: 'This envelope is no longer active (completed, declined, canceled or expired).',
  },
  JOB_NOT_FAILED: {
    ja: 'この処理は失敗の状態ではないため再実行できません（再実行済みか、同じ処理が実行中です）。',
    en: 'This job is not failed, so it cannot be retried (it was retried already, or the same work is running).',
  },
  NOT_YOUR_TURN: { ja: '先の署名者の署名が完了していません。', en: 'An earlier recipient has not signed yet.' },
  ALREADY_SIGNED: { ja: 'すでに署名済みです。', en: 'Already signed.' },
  LINK_EXPIRED: {
    ja: 'このURLの有効期限が切れています。送信者にお問い合わせください。',
    en: 'This link has expired. Please contact the sender.',
  },
  PAYLOAD_TOO_LARGE: {
    ja: (d) =>
      d?.field === 'logo'
        ? `ロゴ画像が大きすぎます（上限 ${LOGO_TEXT.ja}）。`
        : `ファイルが大きすぎます${typeof d?.maxBytes === 'number' ? `（上限 ${Math.floor(d.maxBytes / 1048576)} MB）` : ''}。`,
    en: (d) =>
      d?.field === 'logo'
        ? `The logo is too large (limit ${LOGO_TEXT.en}).`
        : `The upload is too large${typeof d?.maxBytes === 'number' ? ` (limit ${Math.floor(d.maxBytes / 1048576)} MB)` : ''}.`,
  },
  UNSUPPORTED_MEDIA_TYPE: {
    ja: (d) =>
      d?.field === 'logo'
        ? 'ロゴにはPNGまたはJPEG形式の画像を指定してください。'
        : 'この形式のリクエストは受け付けられません。',
    en: (d) => (d?.field === 'logo' ? 'The logo must be a PNG or JPEG image.' : 'This content type is not accepted.'),
  },
  ALREADY_MEMBER: {
    ja: 'このメールアドレスの方はすでに組織のメンバーです。',
    en: 'This address is already a member of the organisation.',
  },
  API_KEY_SCOPE: {
    ja: (d) =>
      `このAPIキーにはこの操作の権限（${typeof d?.scope === 'string' ? d.scope : ''}）がありません。管理者に権限の付いたキーを発行してもらってください。`,
    en: (d) =>
      `This API key lacks the scope this needs (${typeof d?.scope === 'string' ? d.scope : ''}). Ask an administrator for a key with it.`,
  },
  PDF_INVALID: {
    ja: (d) => `「${doc(d, 'ファイル')}」はPDFとして読み込めません。壊れているか、PDFではありません。`,
    en: (d) => `"${doc(d, 'The file')}" cannot be read as a PDF: it is damaged or not a PDF.`,
  },
  PDF_ENCRYPTED: {
    ja: (d) =>
      `「${doc(d, 'ファイル')}」はパスワードで保護（暗号化）されています。保護を解除してからアップロードしてください。`,
    en: (d) => `"${doc(d, 'The file')}" is password-protected (encrypted). Remove the protection and upload it again.`,
  },
  PDF_TOO_COMPLEX: {
    ja: (d) => `このPDFは構造が複雑すぎるため、検証できません（${limitWords(d).ja}）。`,
    en: (d) => `This PDF is too complex to verify (${limitWords(d).en}).`,
  },
  ACCESS_CODE_LOCKED: {
    ja: 'アクセスコードを続けて間違えたため、ロックされました。送信者に連絡済みです。ロックの解除は送信者にご依頼ください。',
    en: 'Too many wrong access codes: the link is locked. The sender has been told; please ask them to unlock it.',
  },
  INVALID_AMOUNT: {
    ja: (d) =>
      `金額が正しくありません${typeof d?.field === 'string' ? `（${d.field}）` : ''}。0以上10^15以下の整数（円）で入力してください。`,
    en: (d) =>
      `The amount is not valid${typeof d?.field === 'string' ? ` (${d.field})` : ''}: enter a whole number of yen from 0 to 10^15.`,
  },
  INVALID_DATE: {
    ja: (d) =>
      `日付が正しくありません${typeof d?.field === 'string' ? `（${d.field}）` : ''}。2026-04-01 や 令和8年4月1日 の形で、実在する日付を入力してください。`,
    en: (d) =>
      `The date is not valid${typeof d?.field === 'string' ? ` (${d.field})` : ''}: enter a real date such as 2026-04-01.`,
  },
  DATE_ORDER: { ja: '契約満了日が契約開始日より前になっています。', en: 'The end date is before the start date.' },
  CLAIM_INVALID: {
    ja: 'この保管用URLは無効です。メールに記載のURLをご確認ください。',
    en: 'This storage link is not valid. Please check the link in your e-mail.',
  },
  CLAIM_EXPIRED: {
    ja: (d) => `保管可能期間が過ぎています。${senderOf(d, 'ja')}`,
    en: (d) => `The period for storing this contract has passed.${senderOf(d, 'en')}`,
  },
  CLAIM_ALREADY_USED: {
    ja: 'この保管用URLは別のアカウントで保管済みです。送信者にお問い合わせください。',
    en: 'This storage link has already been used by another account. Please contact the sender.',
  },
  CONTACT_NOT_REGISTERED: {
    ja: 'この取引先は、署名者とアクセスコードの届出がまだ済んでいないか、取り消されています。届出を依頼するか、アクセスコードを指定してください。',
    en: 'This counterparty has not registered a signer and access code (or the registration was revoked). Request a registration or give an access code.',
  },
  ACCESS_CODE_REGISTERED: {
    ja: 'この署名者のアクセスコードは取引先が届け出たものです。送信者は変更できません。ロック解除だけを行うか、取引先に届出の更新を依頼してください。',
    en: 'This signer’s access code was registered by the counterparty: the sender cannot change it. Only unlock the signer, or ask the counterparty to register again.',
  },
  ACCESS_CODE_WEAK: {
    ja: '推測されやすいアクセスコードは使えません（同じ数字の繰り返し、連続した数字、よく使われる番号など）。別の番号を選んでください。',
    en: 'This access code is too easy to guess (one digit repeated, a run like 123456, a common number). Please choose another.',
  },
  ACCESS_CODE_MISMATCH: {
    ja: '確認用に入力したアクセスコードが一致しません。',
    en: 'The two access codes you entered do not match.',
  },
  REGISTRATION_LINK_INVALID: {
    ja: 'この届出用URLは無効です。メールのURLをご確認いただくか、送信者に新しい届出用URLを依頼してください。',
    en: 'This registration link is not valid. Check the link in your e-mail or ask the sender for a new one.',
  },
  REGISTRATION_LINK_EXPIRED: {
    ja: 'この届出用URLは使用済みか、有効期限が切れています。送信者に新しい届出用URLを依頼してください。',
    en: 'This registration link has been used or has expired. Please ask the sender for a new one.',
  },
  RATE_LIMITED: {
    ja: 'リクエストが多すぎます。しばらくしてからお試しください。',
    en: 'Too many requests. Please wait a moment and try again.',
  },
  FIELD_INVALID: {
    ja: (d) =>
      `入力項目の配置または内容に誤りがあります${typeof d?.field === 'string' ? `（${d.field}）` : ''}。ページの範囲内に置き、内容を確認してください。`,
    en: (d) =>
      `A field is misplaced or its value is not valid${typeof d?.field === 'string' ? ` (${d.field})` : ''}: keep it inside the page and check its value.`,
  },
  FIELD_REQUIRED: {
    ja: (d) =>
      `必須の入力項目${typeof d?.label === 'string' && d.label ? `「${d.label}」` : ''}が未入力です。入力してから完了してください。`,
    en: (d) =>
      `The required field${typeof d?.label === 'string' && d.label ? ` "${d.label}"` : ''} is empty: fill it in before completing.`,
  },
  WEBHOOK_URL_INVALID: {
    ja: 'WebhookのURLが正しくありません。https:// で始まる完全なURLを入力してください（ユーザー名・パスワードは含められません）。',
    en: 'The webhook URL is not valid. Enter a full URL starting with https:// (without a user name or password).',
  },
  WEBHOOK_TARGET_REFUSED: {
    ja: '社内ネットワーク・ループバック・リンクローカルなどのプライベートなアドレスには送信できません。インターネットから到達できるURLを指定してください。',
    en: 'Webhooks cannot be sent to private, loopback or link-local addresses. Use a URL reachable from the internet.',
  },
  WEBHOOK_LIMIT: {
    ja: 'Webhookの送信先は1組織あたり20件までです。使っていない送信先を削除してください。',
    en: 'An organisation can have at most 20 webhook endpoints. Delete one you no longer use.',
  },
  WEBHOOK_DELIVERY_PENDING: {
    ja: 'この送信はまだ再試行中のため再送できません。完了または失敗してから再送してください。',
    en: 'This delivery is still being retried, so it cannot be replayed yet. Replay it once it is delivered or has failed.',
  },
  IMAGE_INVALID: {
    ja: '印影の画像を読み込めません。2MB以下、16〜2000ピクセル四方のPNGまたはJPEG（8ビット、インターレースなし）を選んでください。',
    en: (d) =>
      `The seal image cannot be used${typeof d?.reason === 'string' ? ` (${d.reason})` : ''}: choose a PNG or JPEG of at most 2 MB and 2000×2000 pixels.`,
  },
  SIGNING_CERTIFICATE_INVALID: {
    ja: (d) => signingProblem(d).ja,
    en: (d) => signingProblem(d).en,
  },
  SIGNING_CERTIFICATE_PASSWORD: {
    ja: 'PKCS#12 ファイルのパスワードが違います。証明書を書き出したときのパスワードを入力してください。',
    en: 'The password of the PKCS#12 file is wrong: enter the password it was exported with.',
  },
  SIGNING_CERTIFICATE_MISSING: {
    ja: 'この署名方式には署名用証明書が必要です。先に証明書をアップロードするか、運用者の証明書を選んでください。',
    en: 'This signing mode needs a signing certificate: upload one first, or choose the operator’s certificate.',
  },
  INTERNAL_ERROR: {
    ja: 'サーバーでエラーが発生しました。時間をおいてお試しください。',
    en: 'Something went wrong on the server. Please try again later.',
  },
  SERVICE_UNAVAILABLE: { ja: '現在ご利用いただけません。', en: 'The service is not available right now.' },
  VERIFY_BUSY: {
    ja: (d) => `ただいま検証の依頼が混み合っています。${retryAfter(d)}秒ほどしてから、もう一度お試しください。`,
    en: (d) => `Verification is busy right now. Please try again in about ${retryAfter(d)} seconds.`,
  },
};

// Why an uploaded signing certificate was refused (details.problem), in words.
const SIGNING_PROBLEMS: Record<string, { ja: string; en: string }> = {
  PKCS12_INVALID: {
    ja: 'PKCS#12 ファイル（.p12 / .pfx）として読み込めません。ファイルを確認してください',
    en: 'the file cannot be read as PKCS#12 (.p12 / .pfx)',
  },
  PKCS12_UNSUPPORTED: {
    ja: 'この PKCS#12 ファイルの暗号方式には対応していません。AES-256 または 3DES で書き出してください',
    en: 'the PKCS#12 file uses an encryption this service does not support: export it with AES-256 or 3DES',
  },
  CHAIN_UNREADABLE: {
    ja: '証明書チェーンのファイルを読み込めません。PEM 形式の証明書を選んでください',
    en: 'the certificate chain file cannot be read: choose PEM certificates',
  },
  NO_CERTIFICATE: { ja: '証明書が含まれていません', en: 'the file holds no certificate' },
  KEY_MISMATCH: { ja: '秘密鍵と証明書が対応していません', en: 'the private key does not match the certificate' },
  KEY_UNSUPPORTED: {
    ja: '鍵の種類に対応していません（RSA または ECDSA P-256 のみ）',
    en: 'the key type is not supported (RSA or ECDSA P-256 only)',
  },
  CA_CERTIFICATE: {
    ja: 'CA 証明書です。署名用（エンドエンティティ）の証明書を選んでください',
    en: 'it is a CA certificate: choose the signing (end-entity) certificate',
  },
  KEY_USAGE: {
    ja: '証明書の鍵用途に電子署名（digitalSignature / nonRepudiation）が含まれていません',
    en: 'the certificate’s key usage allows neither digitalSignature nor nonRepudiation',
  },
  NOT_YET_VALID: { ja: '証明書の有効期間がまだ始まっていません', en: 'the certificate is not valid yet' },
  EXPIRED: { ja: '証明書の有効期限が切れています', en: 'the certificate has expired' },
  CHAIN_INCOMPLETE: {
    ja: '証明書チェーンがルート証明書まで揃っていません。中間証明書とルート証明書を含めてください',
    en: 'the certificate chain does not reach a root: include the intermediate and root certificates',
  },
  CHAIN_INVALID: {
    ja: '証明書チェーンの検証に失敗しました',
    en: 'the certificate chain does not validate',
  },
};

function signingProblem(d: Details): { ja: string; en: string } {
  const problem = SIGNING_PROBLEMS[typeof d?.problem === 'string' ? d.problem : ''] ?? SIGNING_PROBLEMS.PKCS12_INVALID;
  return {
    ja: `署名用証明書を登録できません：${problem.ja}。`,
    en: `The signing certificate cannot be used: ${problem.en}.`,
  };
}

const retryAfter = (d: Details): number => (typeof d?.retryAfterSeconds === 'number' ? d.retryAfterSeconds : 5);

/** The limit a PDF went over (details.limit, details.max), in words: PDF_TOO_COMPLEX names it. */
function limitWords(d: Details): { ja: string; en: string } {
  const max = typeof d?.max === 'number' ? d.max : undefined;
  const count = max === undefined ? '' : max.toLocaleString('en-US');
  const mib = max === undefined ? '' : `${Math.round((max / 1048576) * 10) / 10} MiB`;
  switch (d?.limit) {
    case 'decoded-bytes':
      return { ja: `上限：展開後のデータ量 ${mib}`, en: `limit: ${mib} of decoded data` };
    case 'objects':
      return { ja: `上限：オブジェクト数 ${count}`, en: `limit: ${count} objects` };
    case 'nesting-depth':
      return { ja: `上限：入れ子の深さ ${count}`, en: `limit: nesting depth ${count}` };
    case 'xref-sections':
      return {
        ja: `上限：相互参照表の連鎖 ${count} 区画（循環も超過とみなします）`,
        en: `limit: ${count} cross-reference sections (a loop counts as over)`,
      };
    case 'object-streams':
      return { ja: `上限：オブジェクトストリーム数 ${count}`, en: `limit: ${count} object streams` };
    case 'signatures':
      return { ja: `上限：署名数 ${count}`, en: `limit: ${count} signatures` };
    case 'memory':
      return { ja: `上限：検証に使えるメモリ ${count} MiB`, en: `limit: ${count} MiB of memory per verification` };
    case 'time':
      return {
        ja: `上限：検証時間 ${max === undefined ? '' : max / 1000} 秒`,
        en: `limit: ${max === undefined ? '' : max / 1000} s per verification`,
      };
    default:
      return { ja: '上限を超えました', en: 'over a limit' };
  }
}

/** 'ja' when the request's Accept-Language prefers Japanese over English, else 'en'. */
export function preferredLanguage(acceptLanguage: string | undefined): 'ja' | 'en' {
  if (!acceptLanguage) return 'en';
  let best: { lang: 'ja' | 'en'; q: number } | undefined;
  for (const item of acceptLanguage.split(',')) {
    const [tag, ...params] = item.trim().toLowerCase().split(';');
    const q = Number(
      params
        .find((p) => p.trim().startsWith('q='))
        ?.trim()
        .slice(2) ?? '1',
    );
    const lang = tag.startsWith('ja') ? 'ja' : tag.startsWith('en') ? 'en' : undefined;
    if (lang && Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'en';
}

/** The message of a code in a language. */
export function messageOf(code: AppErrorCode, language: 'ja' | 'en', details?: Details): string {
  const message = MESSAGES[code][language];
  return typeof message === 'function' ? message(details) : message;
}

/** Sends the error body for a code. */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  code: AppErrorCode,
  details?: Details,
  domainMessage?: string,
  localized?: { ja: string; en: string },
): FastifyReply {
  const language = preferredLanguage(request.headers['accept-language']);
  // The domain's own (English) sentence says exactly what is wrong with an input; the generic one does not.
  const message = localized
    ? localized[language]
    : language === 'en' && code === 'VALIDATION_FAILED' && domainMessage
      ? `${domainMessage}.`
      : messageOf(code, language, details);
  const body: { error: { code: AppErrorCode; message: string; details?: Details } } = { error: { code, message } };
  // A caller told to wait (a full verification queue) learns how long, the standard way too.
  if (typeof details?.retryAfterSeconds === 'number') reply.header('retry-after', String(details.retryAfterSeconds));
  if (details && Object.keys(details).length > 0) body.error.details = details;
  return reply.code(STATUS_OF[code]).type('application/json; charset=utf-8').send(body);
}

/** Fastify's and its plugins' own errors, by code, as ours. */
const FRAMEWORK_CODES: Record<string, AppErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_PROTO_VIOLATION: 'VALIDATION_FAILED',
  FST_INVALID_JSON_FIELD_ERROR: 'VALIDATION_FAILED',
  FST_MP_PREMATURE_CLOSE: 'VALIDATION_FAILED',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
};

/** The app's error handler: every thrown error becomes a stable code. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof AppError)
    return sendError(request, reply, error.code, error.details, error.message, error.localized);
  // A blob whose data key the retention job destroyed (a read that no use case checked before).
  if (error instanceof Error && error.name === 'BlobError' && (error as { code?: unknown }).code === 'BLOB_SHREDDED')
    return sendError(request, reply, 'DOCUMENT_SHREDDED');
  if (isCoreError(error)) {
    if (error.code === 'PDF_ENCRYPTED') return sendError(request, reply, 'PDF_ENCRYPTED');
    if (error.code === 'PDF_TOO_COMPLEX') return sendError(request, reply, 'PDF_TOO_COMPLEX', error.details);
    if (error.code.startsWith('PDF_')) return sendError(request, reply, 'PDF_INVALID', { reason: error.code });
    if (error.code === 'FIELD_INVALID') return sendError(request, reply, 'FIELD_INVALID');
    if (error.code === 'IMAGE_INVALID') return sendError(request, reply, 'IMAGE_INVALID', { reason: error.message });
  }
  const fastifyError = error as Partial<FastifyError>;
  const mapped = typeof fastifyError.code === 'string' ? FRAMEWORK_CODES[fastifyError.code] : undefined;
  if (mapped) return sendError(request, reply, mapped);
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status === 429) return sendError(request, reply, 'RATE_LIMITED');
  if (status === 413) return sendError(request, reply, 'PAYLOAD_TOO_LARGE');
  if (status === 415) return sendError(request, reply, 'UNSUPPORTED_MEDIA_TYPE');
  if (status === 404) return sendError(request, reply, 'NOT_FOUND');
  if (status >= 400 && status < 500) return sendError(request, reply, 'VALIDATION_FAILED');
  // Unexpected: logged with its stack, answered without details.
  request.log.error({ err: error }, 'unhandled error');
  return sendError(request, reply, 'INTERNAL_ERROR');
}
