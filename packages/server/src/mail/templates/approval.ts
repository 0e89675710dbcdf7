import type { MailHelp, RenderedMail } from './format.ts';
import { bilingual } from './sender-notices.ts';
import { oneLine } from './signing-request.ts';

/*
 * 稟議 (internal approval) mails, to members of the organisation: Japanese first, English below.
 */

/** An approver is asked to decide. */
export interface ApprovalRequestMail {
  approverName: string;
  envelopeName: string;
  senderName: string;
  routeName: string;
  step: number;
  /** `${INKAN_PUBLIC_URL}/approvals/{envelopeId}` (signed-in members only). */
  approvalUrl: string;
  help?: MailHelp;
}

/** The approval request (承認依頼). */
export function renderApprovalRequest(m: ApprovalRequestMail): RenderedMail {
  const subject = oneLine(`承認依頼: ${m.envelopeName} / Approval requested`);
  const ja = `${m.approverName} 様\n\n${m.senderName} さんが封筒「${m.envelopeName}」の承認を依頼しています（承認ルート「${m.routeName}」ステップ ${m.step}）。\n承認されるまで、取引先には送信されません。内容を確認して、承認または差し戻しをしてください（ログインが必要です）。`;
  const en = `${m.senderName} asks you to approve the envelope "${m.envelopeName}" (approval route "${m.routeName}", step ${m.step}).\nIt is not sent to the other party until it is approved. Please review it and approve or send it back (sign-in required).`;
  return bilingual(subject, ja, en, { label: '承認画面を開く / Open the approval page', url: m.approvalUrl }, m.help);
}

/** The sender is told an approver sent the envelope back. */
export interface ApprovalRejectedMail {
  envelopeName: string;
  approverName: string;
  reason: string;
  envelopeUrl: string;
  help?: MailHelp;
}

/** The rejection notice (差し戻し) to the sender. */
export function renderApprovalRejected(m: ApprovalRejectedMail): RenderedMail {
  const subject = oneLine(`差し戻しのお知らせ: ${m.envelopeName} / Sent back`);
  const ja = `封筒「${m.envelopeName}」は承認者 ${m.approverName} さんにより差し戻されました。封筒は下書きに戻りました。内容を修正して、もう一度送信してください。\n\n差し戻しの理由:\n${m.reason}`;
  const en = `The approver ${m.approverName} sent the envelope "${m.envelopeName}" back. It is a draft again: correct it and send it again.\n\nReason:\n${m.reason}`;
  return bilingual(subject, ja, en, { label: '封筒を開く / Open the envelope', url: m.envelopeUrl }, m.help);
}
