/** Domain types of the envelope flow. Ids are random UUIDs; times are Date (UTC). */

export type EnvelopeStatus = 'draft' | 'pending_approval' | 'sent' | 'completed' | 'declined' | 'canceled' | 'expired';
export type RecipientStatus = 'pending' | 'notified' | 'viewed' | 'signed' | 'declined' | 'locked';
export type RecipientAuth = 'access_code' | 'login';
/** `signer` signs; `cc` (受信者 (CC)) receives the completion mail and the download and never signs. */
export type RecipientRole = 'signer' | 'cc';
export type Language = 'ja' | 'en';
export type UserRole = 'admin' | 'member' | 'viewer';

export interface Organization {
  id: string;
  name: string;
  slug: string;
  createdAt: Date;
}

export interface User {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: UserRole;
  /** argon2id hash; null until the user sets a password (sign-in link only). */
  passwordHash: string | null;
  createdAt: Date;
}

export interface Envelope {
  id: string;
  organizationId: string;
  /** The user who created it, or null when created through an API key. */
  createdByUserId: string | null;
  createdByApiKeyId: string | null;
  name: string;
  message: string;
  status: EnvelopeStatus;
  /** The certificate-of-completion ID stamped on page 1 (締結証明書ID). */
  certificateId: string;
  expiresAt: Date | null;
  createdAt: Date;
  sentAt: Date | null;
  completedAt: Date | null;
  canceledAt: Date | null;
  /** When the certificate of completion (契約締結証明書) was issued; null until then. */
  certificateIssuedAt: Date | null;
  /** The envelope this one was duplicated from (複製, 修正して再送); null for a new one. */
  sourceEnvelopeId: string | null;
  /** 稟議: the approval route of the last submission; null when never submitted for approval. */
  approvalRouteId: string | null;
  /** 稟議: how many times it was submitted for approval (the current round's number). */
  approvalRound: number;
}

export interface EnvelopeDocument {
  id: string;
  envelopeId: string;
  position: number;
  name: string;
  pages: number;
  size: number;
  sha256Original: string;
  /** SHA-256 of the file as it stands (stamped, then signed). */
  sha256Current: string;
  blobOriginal: string;
  blobCurrent: string;
}

export interface Recipient {
  id: string;
  envelopeId: string;
  /** Signing order, 1-based without gaps; signers with the same order sign in parallel (in any order). */
  order: number;
  role: RecipientRole;
  name: string;
  email: string;
  language: Language;
  auth: RecipientAuth;
  /** For auth 'login': the organisation member who signs. */
  userId: string | null;
  /** HMAC of the access code (never the code). */
  accessCodeHash: string | null;
  /** The access code encrypted with the server's key, for its sender only; null for older rows and logins. */
  accessCodeSealed: string | null;
  failedAttempts: number;
  status: RecipientStatus;
  notifiedAt: Date | null;
  viewedAt: Date | null;
  signedAt: Date | null;
  declinedAt: Date | null;
  declineReason: string | null;
  lockedAt: Date | null;
  /** The address-book contact whose pre-registered signer and access code this is (登録済みアクセスコード). */
  addressBookContactId?: string | null;
  /** The last reminder (リマインド), and how many were queued. */
  remindedAt: Date | null;
  reminderCount: number;
}

/** Who did something, for the operation log. */
export type Actor =
  | { type: 'user'; id: string }
  | { type: 'recipient'; id: string }
  | { type: 'api_key'; id: string }
  | { type: 'system'; id: null };

/** Where a request came from, recorded with events. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}
