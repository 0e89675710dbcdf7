// JSON shapes of the Inkan HTTP API (docs/api.md), as the UI reads them.

export type EnvelopeStatus = 'draft' | 'pending_approval' | 'sent' | 'completed' | 'declined' | 'canceled' | 'expired';
export type RecipientStatus = 'pending' | 'notified' | 'viewed' | 'signed' | 'declined' | 'locked';
export type RecipientAuth = 'access_code' | 'login';
/** `signer`, or `cc` (受信者 (CC)): gets the completion mail and the download, never signs. */
export type RecipientRole = 'signer' | 'cc';
export type Language = 'ja' | 'en';

export type MemberRole = 'admin' | 'member' | 'viewer';

/** The signed-in account; organization and role are null in a personal session. */
export interface User {
  id: string;
  email: string;
  name: string;
  companyName: string | null;
  /** 電話番号, shown to signers as the sender's contact (optional). */
  phone?: string | null;
  role: MemberRole | null;
  organization: { id: string; name: string; slug: string } | null;
  memberships: Array<{ id: string; name: string; slug: string; role: MemberRole }>;
}

export interface SessionResponse {
  user: User;
  csrfToken: string;
  /** An organisation's MFA policy holds the session at /account/security until a second factor is enrolled. */
  mfaEnrolmentRequired?: boolean;
}

/** The password was right and the account has a second factor: the sign-in continues with it. */
export interface SecondFactorPending {
  secondFactorRequired: true;
  challengeToken: string;
  methods: Array<'totp' | 'recovery-code' | 'passkey'>;
}

export interface EnvelopeDocument {
  id: string;
  name: string;
  pages: number;
  sha256: string;
}

export interface Recipient {
  id: string;
  name: string;
  email: string;
  /** Signing order (equal orders sign in parallel); 0 for a CC recipient. */
  order: number;
  role: RecipientRole;
  language: Language;
  auth: RecipientAuth;
  status: RecipientStatus;
  signedAt: string | null;
  declineReason: string | null;
  failedAttempts: number;
  /** 登録済みアクセスコード: the code the counterparty chose in the address book (never shown). */
  registeredAccessCode?: boolean;
  /** The code is kept (encrypted) so that the envelope's sender can see it again (older servers: absent). */
  accessCodeStored?: boolean;
  /** Only in the create/edit response, for a code the server generated. */
  accessCode?: string;
}

export interface Envelope {
  id: string;
  name: string;
  message: string;
  status: EnvelopeStatus;
  certificateId: string;
  expiresAt: string | null;
  createdAt: string;
  sentAt: string | null;
  completedAt: string | null;
  /** When the certificate of completion was issued (a few seconds after completion); null before. */
  certificateIssuedAt?: string | null;
  /** The envelope this draft was duplicated from (複製, 修正して再送). */
  sourceEnvelopeId?: string | null;
  /** 稟議: the approval route of the last submission (null: none). */
  approvalRouteId?: string | null;
  /** The caller is the envelope's sender (only GET /api/v1/envelopes/{id}). */
  isSender?: boolean;
  documents: EnvelopeDocument[];
  recipients: Recipient[];
}

export interface EnvelopeSummary {
  id: string;
  name: string;
  status: EnvelopeStatus;
  createdAt: string;
  sentAt: string | null;
  completedAt: string | null;
  recipients: { name: string; status: RecipientStatus; role?: RecipientRole }[];
}

export interface EnvelopePage {
  items: EnvelopeSummary[];
  nextCursor: string | null;
}

export interface EnvelopeEvent {
  id: string;
  action: string;
  actor: { type: 'user' | 'recipient' | 'api_key' | 'system'; name: string | null };
  createdAt: string;
  ip: string | null;
  details: Record<string, unknown> | null;
}

/** `signed`: this recipient has signed and the envelope waits for the others. */
export type SignerState =
  'code_required' | 'login_required' | 'signed' | 'locked' | 'expired' | 'completed' | 'declined' | 'canceled';

/** Whom a signer can ask: the organisation and the person who sent (null for API-created envelopes). */
export interface SenderContact {
  organization: string;
  name: string | null;
  email: string | null;
  phone: string | null;
}

export interface SignerStatus {
  /** Unknown future states are shown as "not valid" rather than breaking the page. */
  state: SignerState | (string & {});
  language: Language;
  senderOrganization: string;
  /** Older servers send none. */
  sender?: SenderContact;
}

/** GET /api/help: the operator's support contact and the root certificate's addresses. */
export interface HelpInfo {
  support: { email: string | null; url: string | null };
  rootCertificate: { cer: string; pem: string };
  verifyUrl: string;
}

export interface SignerView {
  csrfToken?: string;
  envelope: {
    name: string;
    message: string;
    senderOrganization: string;
    senderName: string | null;
    sender?: SenderContact;
    /** The organisation's logo (older servers send none). */
    senderLogoPath?: string | null;
    senderContact?: string | null;
    status?: EnvelopeStatus;
    certificateId?: string;
    id?: string;
    /** Every recipient has signed (older servers send none). */
    allSigned?: boolean;
  };
  /** `canSign` false: the documents may be read but it is not this recipient's turn (or the envelope closed). */
  recipient: { id?: string; name: string; email: string; status: RecipientStatus; canSign?: boolean };
  documents: { id: string; name: string; pages: number }[];
}

export interface DownloadView {
  envelope: { name: string; completedAt: string | null; certificateId: string };
  documents: EnvelopeDocument[];
  expiresAt: string;
  /** The certificate of completion can be downloaded at `…/certificate`. */
  certificate?: boolean;
}

/** One entry of the operation log (GET /api/v1/audit-events). */
export interface AuditEvent {
  id: string;
  seq: number;
  createdAt: string;
  action: string;
  actor: { type: 'user' | 'recipient' | 'api_key' | 'system'; id: string | null; name: string };
  envelope: { id: string; name: string | null } | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown> | null;
}

export interface AuditEventPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

/** The `envelope` part of the multipart create request. */
export interface EnvelopeDraft {
  name: string;
  message?: string;
  expiresAt?: string;
  recipients: {
    name: string;
    email: string;
    accessCode?: string;
    order?: number;
    language?: Language;
    auth?: RecipientAuth;
    /** An address-book contact with a registered signer (登録済みアクセスコード). */
    contactId?: string;
    role?: RecipientRole;
  }[];
}
