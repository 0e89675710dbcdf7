import type { MailHelp, RenderedMail } from './format.ts';
import { bilingual } from './sender-notices.ts';

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
  /** A reminder (【リマインド】) rather than the first request. */
  reminder?: boolean;
}

/** The approval request (承認依頼), or its reminder. */
export function renderApprovalRequest(m: ApprovalRequestMail): RenderedMail {
  const vars = {
    approver: m.approverName,
    envelope: m.envelopeName,
    sender: m.senderName,
    route: m.routeName,
    step: m.step,
  };
  return bilingual(
    m.reminder ? 'mail.approvalReminder.subject' : 'mail.approvalRequest.subject',
    m.reminder ? 'mail.approvalReminder.body' : 'mail.approvalRequest.body',
    vars,
    m.approvalUrl,
    m.help,
    'mail.openApprovalPage',
  );
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
  const vars = { envelope: m.envelopeName, approver: m.approverName, reason: m.reason };
  return bilingual('mail.approvalRejected.subject', 'mail.approvalRejected.body', vars, m.envelopeUrl, m.help);
}
