import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { ApprovalsSchema } from './approvals-schema.ts';
import type { TemplatesSchema } from './templates-schema.ts';
import type { WebhooksSchema } from './webhooks-schema.ts';

/**
 * The database schema, shared by SQLite and PostgreSQL. Times are stored as ISO 8601 UTC strings
 * (text) so that both dialects compare and sort them the same way; booleans as 0/1 integers;
 * JSON as text. Migrations in adapters/db/migrations create exactly this.
 */
export interface Schema
  extends
    SsoSchema,
    FieldsSchema,
    AddressBookSchema,
    RetentionSchema,
    WebhooksSchema,
    ArchiveSchema,
    ApprovalsSchema,
    TemplatesSchema {
  organizations: {
    id: string;
    name: string;
    slug: string;
    created_at: string;
    /** 稟議: the approval route every envelope must go through (migration 022); null: none required. */
    required_approval_route_id: ColumnType<string | null, string | null | undefined, string | null>;
    /** 1: the completion mail carries the certificate of completion (契約締結証明書) as a PDF attachment. */
    attach_certificate: ColumnType<number, number | undefined, number>;
    /** JSON array of days before 契約満了日 / 解約通知期限 at which reminders go out (default [60,14]). */
    contract_reminder_days: ColumnType<string, string | undefined, string>;
    /** 自動リマインド: remind signers every this many days until expiry (0 = off). */
    auto_remind_days: ColumnType<number, number | undefined, number>;
    /** 1: every member must have a second factor; enforced at each member's next sign-in. */
    mfa_required: ColumnType<number, number | undefined, number>;
    /** 送信者の連絡先 shown in mails and pages (free text, bounded). */
    sender_contact: ColumnType<string | null, string | null | undefined, string | null>;
    /** サポート窓口 shown in mails and pages. */
    support_contact: ColumnType<string | null, string | null | undefined, string | null>;
    /** Display name of the From of the organisation's mails (the address stays INKAN_MAIL_FROM's). */
    mail_from_name: ColumnType<string | null, string | null | undefined, string | null>;
    /** Reply-To of the organisation's mails. */
    mail_reply_to: ColumnType<string | null, string | null | undefined, string | null>;
    /** The logo (PNG or JPEG, ≤ 256 KiB, checked when uploaded), base64. */
    logo_base64: ColumnType<string | null, string | null | undefined, string | null>;
    logo_type: ColumnType<
      'image/png' | 'image/jpeg' | null,
      'image/png' | 'image/jpeg' | null | undefined,
      'image/png' | 'image/jpeg' | null
    >;
    logo_updated_at: ColumnType<string | null, string | null | undefined, string | null>;
    /** Sessions unused this long end (null: no idle limit). */
    session_idle_minutes: ColumnType<number | null, number | null | undefined, number | null>;
    /** Sessions end this long after sign-in at the latest (null: INKAN_SESSION_TTL alone). */
    session_absolute_hours: ColumnType<number | null, number | null | undefined, number | null>;
    /** JSON array of CIDR ranges members' sessions and API keys must come from; '[]' = no limit. */
    ip_allow_list: ColumnType<string, string | undefined, string>;
  };
  /** Accounts: anyone can have one (free); organisations are joined through `memberships`. */
  users: {
    id: string;
    email: string;
    name: string;
    password_hash: string | null;
    created_at: string;
    /** 会社名・団体名 given at sign-up (optional). */
    company_name: ColumnType<string | null, string | null | undefined, string | null>;
    /** Telephone number shown to signers as the sender's contact (optional; migration 011). */
    phone: ColumnType<string | null, string | null | undefined, string | null>;
  };
  /** An account's membership of an organisation, with its role there (one row per pair). */
  memberships: {
    user_id: string;
    organization_id: string;
    role: 'admin' | 'member' | 'viewer';
    created_at: string;
    /** Set by an administrator: the membership grants nothing (kept for the log); null: active. */
    deactivated_at: ColumnType<string | null, string | null | undefined, string | null>;
  };
  /** Invitations to an organisation by mail: one use, the token's SHA-256 only. */
  member_invitations: {
    id: string;
    token_hash: string;
    organization_id: string;
    email: string;
    role: 'admin' | 'member' | 'viewer';
    invited_by_user_id: string | null;
    created_at: string;
    expires_at: string;
    accepted_at: string | null;
    revoked_at: string | null;
  };
  /**
   * Browser sessions of accounts: the cookie holds a random token, the table its SHA-256. The active
   * organisation is one of the account's memberships, or null (a personal session).
   */
  sessions: {
    token_hash: string;
    user_id: string;
    csrf_token: string;
    created_at: string;
    expires_at: string;
    organization_id: ColumnType<string | null, string | null | undefined, string | null>;
    /** Updated at most once a minute by the requests of the session (the sessions list). */
    last_seen_at: ColumnType<string | null, string | null | undefined, string | null>;
    ip: ColumnType<string | null, string | null | undefined, string | null>;
    user_agent: ColumnType<string | null, string | null | undefined, string | null>;
    /** When a second factor was last given in this session (step-up looks at it), or null. */
    second_factor_at: ColumnType<string | null, string | null | undefined, string | null>;
    /** 1: an organisation's MFA policy allows nothing but enrolling a second factor yet. */
    mfa_enrolment_required: ColumnType<number, number | undefined, number>;
  };
  /** One-time sign-in links (printed by `inkan org create`, mailed for password reset). */
  login_links: { token_hash: string; user_id: string; created_at: string; expires_at: string; used_at: string | null };
  /** One-use links of sign-up (24 h), password reset (1 h) and e-mail change: only the token's SHA-256. */
  account_tokens: {
    token_hash: string;
    purpose: 'signup' | 'password_reset' | 'email_change';
    /** signup: the address to register; email_change: the new address; password_reset: the account's address. */
    email: string;
    user_id: string | null;
    /** A same-origin path to return to after sign-up (validated), or null. */
    next_path: string | null;
    created_at: string;
    expires_at: string;
    used_at: string | null;
  };
  /** An account's TOTP seed (RFC 6238), AES-256-GCM under a key derived from the master key. */
  totp_factors: {
    user_id: string;
    secret_ciphertext: string;
    created_at: string;
    confirmed_at: string | null;
    /** The last time step accepted (replays of it and earlier steps are refused). */
    last_used_step: ColumnType<number | string | null, number | null | undefined, number | null>;
  };
  /** One-use recovery codes: only their SHA-256. */
  recovery_codes: { code_hash: string; user_id: string; created_at: string; used_at: string | null };
  /** Passkeys (WebAuthn credentials): id and public key base64url. */
  passkeys: {
    id: string;
    user_id: string;
    public_key: string;
    counter: ColumnType<number | string, number, number>;
    transports: string | null;
    name: string;
    created_at: string;
    last_used_at: string | null;
  };
  /** Short-lived challenges: the sign-in second step (token hashed) and WebAuthn ceremonies. */
  second_factor_challenges: {
    token_hash: string;
    purpose: 'sign-in' | 'passkey-register' | 'passkey-sign-in';
    user_id: string | null;
    webauthn_challenge: string | null;
    attempts: ColumnType<number, number | undefined, number>;
    created_at: string;
    expires_at: string;
    used_at: string | null;
  };
  /** Fixed-window attempt counters (per IP, per address hash) shared by every process. */
  rate_limits: { bucket: string; window_start: string; hits: number };
  api_keys: {
    id: string;
    organization_id: string;
    name: string;
    key_hash: string;
    /** The first characters of the key, for recognising it in lists. */
    prefix: string;
    created_at: string;
    revoked_at: string | null;
    last_used_at: string | null;
    /** JSON array of the key's scopes: send, read, register, admin. */
    scopes: ColumnType<string, string | undefined, string>;
    created_by_user_id: ColumnType<string | null, string | null | undefined, string | null>;
  };
  envelopes: {
    id: string;
    organization_id: string;
    created_by_user_id: string | null;
    created_by_api_key_id: string | null;
    name: string;
    message: string;
    status: 'draft' | 'pending_approval' | 'sent' | 'completed' | 'declined' | 'canceled' | 'expired';
    certificate_id: string;
    expires_at: string | null;
    created_at: string;
    sent_at: string | null;
    completed_at: string | null;
    canceled_at: string | null;
    /** The certificate of completion (signed, B-LTA): its blob, SHA-256 and time of issue; null until issued. */
    certificate_blob: ColumnType<string | null, string | null | undefined, string | null>;
    certificate_sha256: ColumnType<string | null, string | null | undefined, string | null>;
    certificate_issued_at: ColumnType<string | null, string | null | undefined, string | null>;
    /** When the retention job destroyed the keys of the envelope's documents (migration 020). */
    shredded_at: ColumnType<string | null, string | null | undefined, string | null>;
    /** The envelope this one was duplicated from (複製, 修正して再送); null for a new one. */
    source_envelope_id: ColumnType<string | null, string | null | undefined, string | null>;
    /** 稟議: the approval route the sender chose on the draft (migration 022); null: none chosen. */
    approval_route_id: ColumnType<string | null, string | null | undefined, string | null>;
    /** 稟議: how many times the envelope was submitted for approval (rows of envelope_approvals carry it). */
    approval_round: ColumnType<number, number | undefined, number>;
  };
  documents: {
    id: string;
    envelope_id: string;
    position: number;
    name: string;
    pages: number;
    size: number;
    sha256_original: string;
    sha256_current: string;
    blob_original: string;
    blob_current: string;
  };
  recipients: {
    id: string;
    envelope_id: string;
    signing_order: number;
    name: string;
    email: string;
    language: 'ja' | 'en';
    auth: 'access_code' | 'login';
    user_id: string | null;
    access_code_hash: string | null;
    failed_attempts: number;
    status: 'pending' | 'notified' | 'viewed' | 'signed' | 'declined' | 'locked';
    /** Retired by migration 023 (always null; link hashes live in `signing_links`). */
    link_token_hash: string | null;
    notified_at: string | null;
    viewed_at: string | null;
    signed_at: string | null;
    declined_at: string | null;
    decline_reason: string | null;
    locked_at: string | null;
    /** Where and how the signature was given (evidence). */
    signed_ip: string | null;
    signed_user_agent: string | null;
    /** The address-book contact whose registered signer and access code this recipient uses (migration 015). */
    address_book_contact_id: string | null;
    /** The access code encrypted with the server's key (shown again only to the envelope's sender). */
    access_code_sealed: ColumnType<string | null, string | null | undefined, string | null>;
    /** `signer`, or `cc`: receives the completion mail and the download, never signs. */
    role: ColumnType<'signer' | 'cc', 'signer' | 'cc' | undefined, 'signer' | 'cc'>;
    /** When the last reminder (button or 自動リマインド) was queued, and how many were. */
    reminded_at: ColumnType<string | null, string | null | undefined, string | null>;
    reminder_count: ColumnType<number, number | undefined, number>;
    /** Place in the sender's list (orders signing within an order group and among CC recipients for display). */
    position: ColumnType<number, number | undefined, number>;
  };
  /** A signer's personal links (migration 023): one per mail, SHA-256 of the random token; the newest few are kept. */
  signing_links: { token_hash: string; recipient_id: string; created_at: string };
  /** A signer's session after the access code passed: the cookie token's SHA-256. */
  recipient_sessions: { token_hash: string; recipient_id: string; created_at: string; expires_at: string };
  /** ダウンロード links of the completion mail. */
  download_links: {
    token_hash: string;
    envelope_id: string;
    recipient_id: string | null;
    created_at: string;
    expires_at: string;
  };
  /** The operation log (操作ログ), hash-chained: hash = SHA-256(prev_hash + canonical JSON of the row). */
  events: {
    seq: Generated<number>;
    id: string;
    organization_id: string | null;
    envelope_id: string | null;
    actor_type: 'user' | 'recipient' | 'api_key' | 'system';
    actor_id: string | null;
    action: string;
    ip: string | null;
    user_agent: string | null;
    details: string;
    created_at: string;
    prev_hash: string;
    hash: string;
  };
  /** The durable job queue. */
  jobs: {
    id: string;
    kind: string;
    payload: string;
    /** Jobs with the same key are not queued twice while one is queued or running. */
    dedupe_key: string | null;
    status: 'queued' | 'running' | 'done' | 'failed';
    attempts: number;
    max_attempts: number;
    run_at: string;
    locked_by: string | null;
    locked_until: string | null;
    last_error: string | null;
    created_at: string;
    finished_at: string | null;
    /** The stable identity of the worker holding the job (INKAN_WORKER_ID, or host and role). */
    worker_id: string | null;
    /** When the job was first claimed: the retry window (INKAN_JOB_RETRY_FOR) counts from here. */
    first_attempt_at: string | null;
    /** The organisation a failed job concerns (its administrators see it); null for system jobs. */
    organization_id: string | null;
    /** When the people concerned were told that the job failed. */
    failed_notice_at: string | null;
  };
  /** One claim per (task, period) of scheduled work, so that it runs once per period across instances. */
  scheduled_runs: { task: string; period: string; job_id: string; claimed_at: string; finished_at: string | null };
  /** Mail written by the outbox adapter (and a record of every mail sent). */
  mails: {
    id: string;
    to_address: string;
    from_address: string;
    subject: string;
    text_body: string;
    html_body: string;
    created_at: string;
    /** Idempotency: a job that retries after sending does not send again. */
    idempotency_key: string | null;
    /** JSON array of the attachments' file names (the bytes are not kept), or null. */
    attachment_names: ColumnType<string | null, string | null | undefined, string | null>;
    /** The Reply-To mailbox (`"Name" <address>`), or null (migration 011). */
    reply_to: ColumnType<string | null, string | null | undefined, string | null>;
  };
  /** Daily RFC 3161 timestamps of the operation log's chain head (its existence at that time). */
  audit_anchors: {
    id: string;
    head_seq: number;
    head_hash: string;
    /** TimeStampToken DER, base64; its message imprint is the SHA-256 value head_hash. */
    token: string;
    created_at: string;
  };
  /**
   * The contract register (契約管理): one entry per contract, owned by exactly one scope — an organisation
   * (`scope` 'o:<id>', organization_id set) or a personal account ('u:<id>', owner_user_id set).
   * Dates are YYYY-MM-DD text; amount a yen integer.
   */
  contracts: {
    id: string;
    scope: string;
    organization_id: string | null;
    owner_user_id: string | null;
    source: 'envelope' | 'claim' | 'import';
    envelope_id: string | null;
    certificate_id: string | null;
    title: string;
    /** JSON array of names. */
    counterparties: string;
    counterparty_norm: string | null;
    signed_on: string | null;
    start_on: string | null;
    end_on: string | null;
    notice_on: string | null;
    amount: number | null;
    currency: ColumnType<string, string | undefined, string>;
    tax: 'included' | 'excluded' | null;
    auto_renew: ColumnType<number, number | undefined, number>;
    renewal_months: number | null;
    contract_type: string | null;
    reference_number: string | null;
    assignee_user_id: string | null;
    memo: ColumnType<string, string | undefined, string>;
    status: ColumnType<
      'active' | 'expired' | 'terminated',
      'active' | 'expired' | 'terminated' | undefined,
      'active' | 'expired' | 'terminated'
    >;
    imported_at: string | null;
    created_at: string;
    updated_at: string;
    /** When the retention job destroyed the keys of the entry's documents (migration 020). */
    shredded_at: ColumnType<string | null, string | null | undefined, string | null>;
  };
  /** The documents of an entry: signed PDFs, the certificate of completion, an imported PDF. */
  contract_documents: {
    id: string;
    contract_id: string;
    kind: 'signed' | 'certificate' | 'imported';
    position: number;
    name: string;
    size: number;
    sha256: string;
    blob: string;
    /** 1: the entry's own copy of the bytes; 0: the envelope's blob (organisation entries). */
    owned: number;
    created_at: string;
  };
  /** Extracted text of an entry and its search form (NFKC, lower case: title, counterparties, text). */
  contract_texts: { contract_id: string; scope: string; extracted: string; search_norm: string };
  contract_tags: { contract_id: string; scope: string; tag: string };
  contract_watchers: { contract_id: string; user_id: string };
  /** Organisation-defined custom fields of the register. */
  contract_field_definitions: {
    id: string;
    organization_id: string;
    key: string;
    label: string;
    type: 'text' | 'number' | 'date' | 'choice';
    /** JSON array of the allowed values of a choice field. */
    choices: ColumnType<string, string | undefined, string>;
    created_at: string;
  };
  contract_field_values: { contract_id: string; scope: string; key: string; value: string };
  /** Every change of an entry, one row per field; append-only (database triggers refuse UPDATE and DELETE). */
  contract_history: {
    id: string;
    contract_id: string;
    actor_type: 'user' | 'api_key' | 'system';
    actor_id: string | null;
    field: string;
    old_value: string;
    new_value: string;
    created_at: string;
  };
  /** Deadline reminders already queued: unique per entry, kind, threshold and deadline. */
  contract_reminders: {
    id: string;
    contract_id: string;
    kind: 'end' | 'notice';
    threshold_days: number;
    due_on: string;
    created_at: string;
  };
  /** Inkanで保管 links of the completion mail, one per recipient; the token's SHA-256 only. */
  claim_links: {
    id: string;
    token_hash: string;
    envelope_id: string;
    recipient_id: string;
    organization_id: string;
    created_at: string;
    expires_at: string;
    claimed_by_user_id: string | null;
    claimed_at: string | null;
    contract_id: string | null;
  };
}

/** Single sign-on (issue 12 part 4): one connection per organisation, OIDC or SAML 2.0. */
export interface SsoSchema {
  sso_connections: {
    id: string;
    organization_id: string;
    protocol: 'oidc' | 'saml';
    name: string;
    enabled: number;
    oidc_issuer: string | null;
    oidc_client_id: string | null;
    /** Sealed under the key-encryption key (SecretSeal, purpose sso-client-secret). */
    oidc_client_secret_ciphertext: string | null;
    saml_idp_entity_id: string | null;
    saml_idp_sso_url: string | null;
    /** The IdP's signing certificate (PEM). */
    saml_idp_certificate: string | null;
    jit_enabled: number;
    default_role: 'member' | 'viewer';
    enforced: number;
    break_glass_user_id: string | null;
    created_at: string;
    updated_at: string;
  };
  /** E-mail domains claimed by an organisation (lower case; one organisation per domain). */
  sso_domains: {
    domain: string;
    organization_id: string;
    created_at: string;
    /** The value of the TXT record `_inkan.<domain>` that proves control (published, so not a secret). */
    verification_token: string | null;
    /** When the TXT record was found: only then does the claim count. */
    verified_at: string | null;
  };
  /** An identity provider's subject (OIDC `sub`, SAML NameID) linked to an account. */
  sso_identities: { connection_id: string; subject: string; user_id: string; created_at: string; last_used_at: string };
  /** Sign-ins under way (10 minutes): the hash of the browser's state token. */
  sso_sign_ins: {
    state_hash: string;
    connection_id: string;
    code_verifier: string | null;
    nonce: string | null;
    request_id: string | null;
    next_path: string | null;
    created_at: string;
    expires_at: string;
    result_user_id: string | null;
    used_at: string | null;
  };
  /** SAML assertion IDs already accepted, kept until the assertion's end of validity (replays refused). */
  saml_assertions_seen: { connection_id: string; assertion_id: string; expires_at: string };
}

/** Fields and seals (migration 012). */
export interface FieldsSchema {
  /** Fields placed by the sender for a recipient; value and filled_at set when that recipient signs. */
  envelope_fields: {
    id: string;
    envelope_id: string;
    document_id: string;
    recipient_id: string;
    position: number;
    page: number;
    /** JSON [x0, y0, x1, y1] in PDF points. */
    rect: string;
    kind: 'seal' | 'date' | 'text' | 'checkbox';
    required: number;
    label: string | null;
    area_index: number | null;
    value: string | null;
    filled_at: string | null;
  };
  /** The organisation's 社印/角印 image, used as the 印影 of its own (login) signers. */
  organization_seals: {
    organization_id: string;
    blob_key: string;
    media_type: 'image/png' | 'image/jpeg';
    width: number;
    height: number;
    size: number;
    sha256: string;
    updated_at: string;
    updated_by_user_id: string | null;
  };
  /** How the organisation's documents are signed, and its uploaded signing key (encrypted) and chain. */
  signing_certificates: {
    organization_id: string;
    mode: 'witness' | 'organization' | 'both';
    source: 'upload' | 'operator';
    key_ciphertext: string | null;
    certificate_chain: string | null;
    subject: string | null;
    issuer: string | null;
    root_subject: string | null;
    serial: string | null;
    sha256: string | null;
    not_before: string | null;
    not_after: string | null;
    updated_at: string;
    updated_by_user_id: string | null;
  };
}

/** Address book and pre-registration, 署名用メールアドレス届出 (migration 015). */
export interface AddressBookSchema {
  /** A counterparty (取引先) of the organisation and, once registered, its signer and chosen code. */
  address_book_contacts: {
    id: string;
    organization_id: string;
    company_name: string;
    department: string | null;
    person_name: string;
    email: string;
    phone: string | null;
    note: string | null;
    signer_name: string | null;
    signer_email: string | null;
    /** HMAC-SHA-256 of the code the counterparty chose (hashAccessCode); nobody at the sender sees it. */
    signer_access_code_hash: string | null;
    signer_language: 'ja' | 'en' | null;
    registered_at: string | null;
    created_at: string;
    updated_at: string;
    created_by_user_id: string | null;
  };
  /** 届出 links (one use, 14 days): the token's SHA-256 only; the token exists only in the mail. */
  address_book_registration_links: {
    id: string;
    token_hash: string;
    contact_id: string;
    organization_id: string;
    language: 'ja' | 'en';
    requested_by_user_id: string | null;
    created_at: string;
    expires_at: string;
    used_at: string | null;
    revoked_at: string | null;
  };
}

/** Retention and keys (issue 13 part 6, migration 020). */
export interface RetentionSchema {
  /** Key-encryption keys by version; the newest wraps new data keys. */
  key_encryption_keys: {
    id: string;
    version: number;
    provider: 'master' | 'pkcs11';
    /** master: the derivation label; pkcs11: the AES key's label on the token. */
    label: string;
    created_at: string;
    retired_at: string | null;
  };
  /** The data key of each blob (format v2), wrapped under a KEK; wrapped_key null once destroyed. */
  document_keys: {
    key_id: string;
    blob_key: string;
    kek_id: string;
    wrapped_key: string | null;
    created_at: string;
    destroyed_at: string | null;
    destroy_reason: string | null;
  };
  /** Retention periods: 'default', 'source:envelope' / 'source:import', or 'type:<契約種別>'. */
  retention_rules: {
    organization_id: string;
    document_type: string;
    years: number;
    updated_at: string;
    updated_by_user_id: string | null;
  };
  /** Earlier files of an envelope's documents (replaced by a signature or the seal), shredded with it. */
  superseded_blobs: {
    blob_key: string;
    envelope_id: string;
    document_id: string;
    sha256: string;
    superseded_at: string;
  };
  /** Legal holds (訴訟ホールド) on a contract or an envelope; active while released_at is null. */
  legal_holds: {
    id: string;
    organization_id: string;
    subject_type: 'contract' | 'envelope';
    subject_id: string;
    reason: string;
    placed_by_user_id: string | null;
    placed_at: string;
    released_at: string | null;
    released_by_user_id: string | null;
    release_reason: string | null;
  };
}

/** LTA renewal (migration 019). */
export interface ArchiveSchema {
  /** The archived versions of a sealed PDF (a document or a certificate of completion); one is current. */
  archive_versions: {
    id: string;
    /** The owner: an organisation or (migration 028) an account, exactly one of the two. */
    organization_id: string | null;
    owner_user_id: string | null;
    /** The sealing envelope (null for a personal copy, which outlives the sender's envelope, and imports). */
    envelope_id: string | null;
    /** The register entry holding the file as its own copy (claims and imports; null for the sender's files). */
    contract_id: string | null;
    /**
     * The document's id, or the envelope's id for the certificate of completion; for a register copy
     * (claimed-document, claimed-certificate, imported) the contract_documents row's id.
     */
    subject_id: string;
    subject_kind: 'document' | 'certificate' | 'claimed-document' | 'claimed-certificate' | 'imported';
    name: string;
    version: number;
    blob: string;
    size: number;
    sha256: string;
    /** SHA-256 of version 1 (as sealed) and of the version this one replaced. */
    sha256_original: string;
    sha256_previous: string | null;
    timestamp_at: string | null;
    tsa_subject: string | null;
    tsa_expires_at: string | null;
    timestamp_hash: string | null;
    reason: 'sealed' | 'tsa-expiry' | 'weak-hash';
    current: ColumnType<number, number | undefined, number>;
    recorded_at: string;
    renewed_at: string | null;
  };
}

/**
 * The database as the adapters open it: Kysely, plus the write transaction of its dialect.
 * `writeTransaction` runs `work` in one transaction that holds the write lock from its first statement
 * (PostgreSQL: an ordinary transaction that appends its events at the commit, see EventLogAtCommit;
 * SQLite: BEGIN IMMEDIATE under the process-wide write lock).
 * Inside `work` use only the given `tx`: on SQLite the database's one connection is held until it returns.
 */
export type Db = Kysely<Schema> & {
  writeTransaction<T>(work: (tx: DbOrTx) => Promise<T>): Promise<T>;
};
export type Tx = Transaction<Schema>;
/** Either the database or a transaction: repositories and use cases accept both. */
export type DbOrTx = Kysely<Schema> | Transaction<Schema>;

/**
 * The key of the transaction-scoped advisory lock that serialises appends to the operation log's hash
 * chain on PostgreSQL (recordEvent's immediate append, and inkan_append_events of migration 031).
 */
export const EVENT_CHAIN_LOCK_KEY = 4_174_650_001;

/**
 * A write transaction that appends the operation log's events at its commit (PostgreSQL's
 * writeTransaction): the chain's lock is then held only for the append and the COMMIT, sent together in
 * one round trip, instead of from the event to the end of the transaction.
 */
export interface EventLogAtCommit {
  /**
   * Queues an event, given as its canonical form (canonicalEvent, which holds every column but the
   * hashes): at the commit it is inserted with its prev_hash and hash, after the events queued before it.
   */
  queue(canonical: string): void;
  /** Appends the queued events now (the chain's lock is then held until the transaction ends). */
  flush(): Promise<void>;
}

const EVENT_LOG_AT_COMMIT = Symbol('eventLogAtCommit');

/** The handle of a write transaction that appends its events at the commit. */
export function withEventLogAtCommit<T extends DbOrTx>(tx: T, log: EventLogAtCommit): T {
  return Object.assign(tx, { [EVENT_LOG_AT_COMMIT]: log });
}

/** The deferred event log of a write transaction's handle; undefined for any other handle. */
export function eventLogAtCommitOf(tx: DbOrTx): EventLogAtCommit | undefined {
  return (tx as { [EVENT_LOG_AT_COMMIT]?: EventLogAtCommit })[EVENT_LOG_AT_COMMIT];
}
export type { ColumnType };
