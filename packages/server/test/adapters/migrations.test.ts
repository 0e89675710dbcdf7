import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import type { Schema } from '../../src/ports/database.ts';
import { migrateToLatest, dialectOf, migrations } from '../../src/adapters/db/migrate.ts';
import { openDatabase } from '../../src/adapters/db/open-database.ts';
import {
  createTestDatabase,
  DIALECTS,
  openMigratedTestDatabase,
  type MigratedTestDatabase,
} from '../helpers/test-database.ts';

// Every column of every table of Schema: the type makes this list complete (tsc fails otherwise).
const COLUMNS = {
  organizations: {
    id: 1,
    name: 1,
    slug: 1,
    created_at: 1,
    required_approval_route_id: 1,
    attach_certificate: 1,
    contract_reminder_days: 1,
    mfa_required: 1,
    sender_contact: 1,
    support_contact: 1,
    mail_from_name: 1,
    mail_reply_to: 1,
    logo_base64: 1,
    logo_type: 1,
    logo_updated_at: 1,
    session_idle_minutes: 1,
    session_absolute_hours: 1,
    auto_remind_days: 1,
    ip_allow_list: 1,
  },
  users: { id: 1, email: 1, name: 1, password_hash: 1, created_at: 1, company_name: 1, phone: 1 },
  memberships: { user_id: 1, organization_id: 1, role: 1, created_at: 1, deactivated_at: 1 },
  member_invitations: {
    id: 1,
    token_hash: 1,
    organization_id: 1,
    email: 1,
    role: 1,
    invited_by_user_id: 1,
    created_at: 1,
    expires_at: 1,
    accepted_at: 1,
    revoked_at: 1,
  },
  sessions: {
    token_hash: 1,
    user_id: 1,
    csrf_token: 1,
    created_at: 1,
    expires_at: 1,
    organization_id: 1,
    last_seen_at: 1,
    ip: 1,
    user_agent: 1,
    second_factor_at: 1,
    mfa_enrolment_required: 1,
  },
  login_links: { token_hash: 1, user_id: 1, created_at: 1, expires_at: 1, used_at: 1 },
  account_tokens: {
    token_hash: 1,
    purpose: 1,
    email: 1,
    user_id: 1,
    next_path: 1,
    created_at: 1,
    expires_at: 1,
    used_at: 1,
  },
  rate_limits: { bucket: 1, window_start: 1, hits: 1 },
  totp_factors: { user_id: 1, secret_ciphertext: 1, created_at: 1, confirmed_at: 1, last_used_step: 1 },
  recovery_codes: { code_hash: 1, user_id: 1, created_at: 1, used_at: 1 },
  passkeys: { id: 1, user_id: 1, public_key: 1, counter: 1, transports: 1, name: 1, created_at: 1, last_used_at: 1 },
  second_factor_challenges: {
    token_hash: 1,
    purpose: 1,
    user_id: 1,
    webauthn_challenge: 1,
    attempts: 1,
    created_at: 1,
    expires_at: 1,
    used_at: 1,
  },
  api_keys: {
    id: 1,
    organization_id: 1,
    name: 1,
    key_hash: 1,
    prefix: 1,
    created_at: 1,
    revoked_at: 1,
    last_used_at: 1,
    scopes: 1,
    created_by_user_id: 1,
  },
  envelopes: {
    id: 1,
    organization_id: 1,
    created_by_user_id: 1,
    created_by_api_key_id: 1,
    name: 1,
    message: 1,
    status: 1,
    certificate_id: 1,
    expires_at: 1,
    created_at: 1,
    sent_at: 1,
    completed_at: 1,
    canceled_at: 1,
    certificate_blob: 1,
    certificate_sha256: 1,
    certificate_issued_at: 1,
    shredded_at: 1,
    source_envelope_id: 1,
    approval_route_id: 1,
    approval_round: 1,
  },
  documents: {
    id: 1,
    envelope_id: 1,
    position: 1,
    name: 1,
    pages: 1,
    size: 1,
    sha256_original: 1,
    sha256_current: 1,
    blob_original: 1,
    blob_current: 1,
  },
  recipients: {
    id: 1,
    envelope_id: 1,
    signing_order: 1,
    name: 1,
    email: 1,
    language: 1,
    auth: 1,
    user_id: 1,
    access_code_hash: 1,
    failed_attempts: 1,
    status: 1,
    link_token_hash: 1,
    notified_at: 1,
    viewed_at: 1,
    signed_at: 1,
    declined_at: 1,
    decline_reason: 1,
    locked_at: 1,
    signed_ip: 1,
    signed_user_agent: 1,
    address_book_contact_id: 1,
    access_code_sealed: 1,
    role: 1,
    reminded_at: 1,
    reminder_count: 1,
    position: 1,
  },
  signing_links: { token_hash: 1, recipient_id: 1, created_at: 1 },
  recipient_sessions: { token_hash: 1, recipient_id: 1, created_at: 1, expires_at: 1 },
  download_links: { token_hash: 1, envelope_id: 1, recipient_id: 1, created_at: 1, expires_at: 1 },
  events: {
    seq: 1,
    id: 1,
    organization_id: 1,
    envelope_id: 1,
    actor_type: 1,
    actor_id: 1,
    action: 1,
    ip: 1,
    user_agent: 1,
    details: 1,
    created_at: 1,
    prev_hash: 1,
    hash: 1,
  },
  jobs: {
    id: 1,
    kind: 1,
    payload: 1,
    dedupe_key: 1,
    status: 1,
    attempts: 1,
    max_attempts: 1,
    run_at: 1,
    locked_by: 1,
    locked_until: 1,
    last_error: 1,
    created_at: 1,
    finished_at: 1,
    worker_id: 1,
    first_attempt_at: 1,
    organization_id: 1,
    failed_notice_at: 1,
  },
  scheduled_runs: { task: 1, period: 1, job_id: 1, claimed_at: 1, finished_at: 1 },
  mails: {
    id: 1,
    to_address: 1,
    from_address: 1,
    subject: 1,
    text_body: 1,
    html_body: 1,
    created_at: 1,
    idempotency_key: 1,
    attachment_names: 1,
    reply_to: 1,
  },
  audit_anchors: { id: 1, head_seq: 1, head_hash: 1, token: 1, created_at: 1 },
  contracts: {
    id: 1,
    scope: 1,
    organization_id: 1,
    owner_user_id: 1,
    source: 1,
    envelope_id: 1,
    certificate_id: 1,
    title: 1,
    counterparties: 1,
    counterparty_norm: 1,
    signed_on: 1,
    start_on: 1,
    end_on: 1,
    notice_on: 1,
    amount: 1,
    currency: 1,
    tax: 1,
    auto_renew: 1,
    renewal_months: 1,
    contract_type: 1,
    reference_number: 1,
    assignee_user_id: 1,
    memo: 1,
    status: 1,
    imported_at: 1,
    created_at: 1,
    updated_at: 1,
    shredded_at: 1,
  },
  contract_documents: {
    id: 1,
    contract_id: 1,
    kind: 1,
    position: 1,
    name: 1,
    size: 1,
    sha256: 1,
    blob: 1,
    owned: 1,
    created_at: 1,
  },
  contract_texts: { contract_id: 1, scope: 1, extracted: 1, search_norm: 1 },
  contract_tags: { contract_id: 1, scope: 1, tag: 1 },
  contract_watchers: { contract_id: 1, user_id: 1 },
  contract_field_definitions: { id: 1, organization_id: 1, key: 1, label: 1, type: 1, choices: 1, created_at: 1 },
  contract_field_values: { contract_id: 1, scope: 1, key: 1, value: 1 },
  contract_history: {
    id: 1,
    contract_id: 1,
    actor_type: 1,
    actor_id: 1,
    field: 1,
    old_value: 1,
    new_value: 1,
    created_at: 1,
  },
  contract_reminders: { id: 1, contract_id: 1, kind: 1, threshold_days: 1, due_on: 1, created_at: 1 },
  claim_links: {
    id: 1,
    token_hash: 1,
    envelope_id: 1,
    recipient_id: 1,
    organization_id: 1,
    created_at: 1,
    expires_at: 1,
    claimed_by_user_id: 1,
    claimed_at: 1,
    contract_id: 1,
  },
  sso_connections: {
    id: 1,
    organization_id: 1,
    protocol: 1,
    name: 1,
    enabled: 1,
    oidc_issuer: 1,
    oidc_client_id: 1,
    oidc_client_secret_ciphertext: 1,
    saml_idp_entity_id: 1,
    saml_idp_sso_url: 1,
    saml_idp_certificate: 1,
    jit_enabled: 1,
    default_role: 1,
    enforced: 1,
    break_glass_user_id: 1,
    created_at: 1,
    updated_at: 1,
  },
  sso_domains: { domain: 1, organization_id: 1, created_at: 1, verification_token: 1, verified_at: 1 },
  sso_identities: { connection_id: 1, subject: 1, user_id: 1, created_at: 1, last_used_at: 1 },
  sso_sign_ins: {
    state_hash: 1,
    connection_id: 1,
    code_verifier: 1,
    nonce: 1,
    request_id: 1,
    next_path: 1,
    created_at: 1,
    expires_at: 1,
    result_user_id: 1,
    used_at: 1,
  },
  saml_assertions_seen: { connection_id: 1, assertion_id: 1, expires_at: 1 },
  envelope_fields: {
    id: 1,
    envelope_id: 1,
    document_id: 1,
    recipient_id: 1,
    position: 1,
    page: 1,
    rect: 1,
    kind: 1,
    required: 1,
    label: 1,
    area_index: 1,
    value: 1,
    filled_at: 1,
  },
  organization_seals: {
    organization_id: 1,
    blob_key: 1,
    media_type: 1,
    width: 1,
    height: 1,
    size: 1,
    sha256: 1,
    updated_at: 1,
    updated_by_user_id: 1,
  },
  address_book_contacts: {
    id: 1,
    organization_id: 1,
    company_name: 1,
    department: 1,
    person_name: 1,
    email: 1,
    phone: 1,
    note: 1,
    signer_name: 1,
    signer_email: 1,
    signer_access_code_hash: 1,
    signer_language: 1,
    registered_at: 1,
    created_at: 1,
    updated_at: 1,
    created_by_user_id: 1,
  },
  address_book_registration_links: {
    id: 1,
    token_hash: 1,
    contact_id: 1,
    organization_id: 1,
    language: 1,
    requested_by_user_id: 1,
    created_at: 1,
    expires_at: 1,
    used_at: 1,
    revoked_at: 1,
  },
  key_encryption_keys: { id: 1, version: 1, provider: 1, label: 1, created_at: 1, retired_at: 1 },
  document_keys: {
    key_id: 1,
    blob_key: 1,
    kek_id: 1,
    wrapped_key: 1,
    created_at: 1,
    destroyed_at: 1,
    destroy_reason: 1,
  },
  superseded_blobs: { blob_key: 1, envelope_id: 1, document_id: 1, sha256: 1, superseded_at: 1 },
  retention_rules: { organization_id: 1, document_type: 1, years: 1, updated_at: 1, updated_by_user_id: 1 },
  legal_holds: {
    id: 1,
    organization_id: 1,
    subject_type: 1,
    subject_id: 1,
    reason: 1,
    placed_by_user_id: 1,
    placed_at: 1,
    released_at: 1,
    released_by_user_id: 1,
    release_reason: 1,
  },
  webhook_endpoints: {
    id: 1,
    organization_id: 1,
    url: 1,
    description: 1,
    events: 1,
    enabled: 1,
    secret_ciphertext: 1,
    secret_hint: 1,
    previous_secret_ciphertext: 1,
    previous_secret_expires_at: 1,
    secret_rotated_at: 1,
    created_by_user_id: 1,
    created_at: 1,
    updated_at: 1,
  },
  webhook_deliveries: {
    id: 1,
    organization_id: 1,
    endpoint_id: 1,
    event_id: 1,
    event_type: 1,
    chain_key: 1,
    event_seq: 1,
    data: 1,
    occurred_at: 1,
    status: 1,
    attempts: 1,
    last_attempt_at: 1,
    last_status_code: 1,
    last_error: 1,
    delivered_at: 1,
    replay_of: 1,
    created_at: 1,
  },
  archive_versions: {
    id: 1,
    organization_id: 1,
    owner_user_id: 1,
    envelope_id: 1,
    contract_id: 1,
    subject_id: 1,
    subject_kind: 1,
    name: 1,
    version: 1,
    blob: 1,
    size: 1,
    sha256: 1,
    sha256_original: 1,
    sha256_previous: 1,
    timestamp_at: 1,
    tsa_subject: 1,
    tsa_expires_at: 1,
    timestamp_hash: 1,
    reason: 1,
    current: 1,
    recorded_at: 1,
    renewed_at: 1,
  },
  signing_certificates: {
    organization_id: 1,
    mode: 1,
    source: 1,
    key_ciphertext: 1,
    certificate_chain: 1,
    subject: 1,
    issuer: 1,
    root_subject: 1,
    serial: 1,
    sha256: 1,
    not_before: 1,
    not_after: 1,
    updated_at: 1,
    updated_by_user_id: 1,
  },
  approval_routes: { id: 1, organization_id: 1, name: 1, steps: 1, created_at: 1, updated_at: 1, deleted_at: 1 },
  envelope_approvals: {
    id: 1,
    envelope_id: 1,
    organization_id: 1,
    round: 1,
    route_name: 1,
    step_index: 1,
    step_mode: 1,
    position: 1,
    user_id: 1,
    status: 1,
    comment: 1,
    decided_at: 1,
    reassigned_from_user_id: 1,
    created_at: 1,
    asked_at: 1,
    reminder_count: 1,
  },
  envelope_templates: {
    id: 1,
    organization_id: 1,
    created_by_user_id: 1,
    name: 1,
    subject: 1,
    message: 1,
    created_at: 1,
    updated_at: 1,
  },
  template_documents: {
    id: 1,
    template_id: 1,
    position: 1,
    name: 1,
    pages: 1,
    size: 1,
    sha256: 1,
    blob: 1,
  },
  template_roles: {
    id: 1,
    template_id: 1,
    position: 1,
    role_name: 1,
    kind: 1,
    signing_order: 1,
    access_code_policy: 1,
    language: 1,
  },
  template_fields: {
    id: 1,
    template_id: 1,
    document_id: 1,
    role_id: 1,
    position: 1,
    page: 1,
    rect: 1,
    kind: 1,
    required: 1,
    label: 1,
  },
  bulk_sends: {
    id: 1,
    organization_id: 1,
    template_id: 1,
    created_by_user_id: 1,
    created_by_api_key_id: 1,
    submission_key: 1,
    file_name: 1,
    total_rows: 1,
    created_at: 1,
  },
  bulk_send_rows: {
    id: 1,
    bulk_send_id: 1,
    row_number: 1,
    data: 1,
    status: 1,
    envelope_id: 1,
    error_code: 1,
    finished_at: 1,
  },
  bulk_send_row_codes: { row_id: 1, position: 1, access_code_sealed: 1 },
} satisfies { [T in keyof Schema]: { [C in keyof Schema[T]]-?: 1 } };

const T = '2030-01-01T00:00:00.000Z';

for (const dialect of DIALECTS) {
  describe(`migrations on ${dialect}`, () => {
    let database: MigratedTestDatabase;
    before(async () => {
      database = await openMigratedTestDatabase(dialect);
    });
    after(async () => {
      await database?.close();
    });

    test('create exactly the tables and columns of Schema; a second run changes nothing', async () => {
      const tables = await database.db.introspection.getTables();
      // The FTS5 trigram indexes of the register (SQLite) are indexes, not tables of Schema.
      const ours = tables.filter(
        (t) =>
          !t.name.startsWith('kysely_') &&
          !t.name.startsWith('contract_texts_fts') &&
          !t.name.startsWith('contracts_counterparty_fts'),
      );
      assert.deepEqual(ours.map((t) => t.name).sort(), Object.keys(COLUMNS).sort());
      for (const table of ours) {
        assert.deepEqual(
          table.columns.map((c) => c.name).sort(),
          Object.keys(COLUMNS[table.name as keyof typeof COLUMNS]).sort(),
          table.name,
        );
      }
      assert.deepEqual(await migrateToLatest(database.db), []);
      assert.equal(dialectOf(database.db), dialect);
    });

    test('unique keys, checks and cascades hold', async () => {
      const db = database.db;
      await db.insertInto('organizations').values({ id: 'o1', name: 'A', slug: 'a', created_at: T }).execute();
      await assert.rejects(
        db.insertInto('organizations').values({ id: 'o2', name: 'B', slug: 'a', created_at: T }).execute(),
      );
      await db.insertInto('organizations').values({ id: 'o2', name: 'B', slug: 'b', created_at: T }).execute();
      await db
        .insertInto('users')
        .values({ id: 'u1', email: 'a@x.jp', name: 'A', password_hash: null, created_at: T })
        .execute();
      await assert.rejects(
        db
          .insertInto('users')
          .values({ id: 'u2', email: 'a@x.jp', name: 'A', password_hash: null, created_at: T })
          .execute(),
      );
      await db
        .insertInto('users')
        .values({ id: 'u5', email: 'e@x.jp', name: 'E', password_hash: null, created_at: T })
        .execute();
      await db
        .insertInto('memberships')
        .values({ user_id: 'u1', organization_id: 'o1', role: 'admin', created_at: T })
        .execute();
      await db
        .insertInto('memberships')
        .values({ user_id: 'u1', organization_id: 'o2', role: 'viewer', created_at: T })
        .execute();
      await assert.rejects(
        db
          .insertInto('memberships')
          .values({ user_id: 'u1', organization_id: 'o1', role: 'member', created_at: T })
          .execute(),
        Error,
        'one membership per pair',
      );
      await assert.rejects(
        db
          .insertInto('memberships')
          .values({ user_id: 'u1', organization_id: 'nope', role: 'admin', created_at: T })
          .execute(),
        Error,
        'foreign keys are enforced',
      );
      await assert.rejects(
        db
          .insertInto('memberships')
          .values({ user_id: 'u5', organization_id: 'o1', role: 'owner' as 'admin', created_at: T })
          .execute(),
        Error,
        'role is checked',
      );
      await assert.rejects(
        db
          .insertInto('account_tokens')
          .values({
            token_hash: 't1',
            purpose: 'other' as 'signup',
            email: 'a@x.jp',
            user_id: null,
            next_path: null,
            created_at: T,
            expires_at: T,
            used_at: null,
          })
          .execute(),
        Error,
        'purpose is checked',
      );
      const apiKey = {
        organization_id: 'o1',
        name: 'k',
        prefix: 'inkan_',
        created_at: T,
        revoked_at: null,
        last_used_at: null,
      };
      await db
        .insertInto('api_keys')
        .values({ id: 'k1', key_hash: 'h', ...apiKey })
        .execute();
      await assert.rejects(
        db
          .insertInto('api_keys')
          .values({ id: 'k2', key_hash: 'h', ...apiKey })
          .execute(),
      );
      const envelope = {
        organization_id: 'o1',
        created_by_user_id: 'u1',
        created_by_api_key_id: null,
        name: 'E',
        message: '',
        status: 'draft' as const,
        expires_at: null,
        created_at: T,
        sent_at: null,
        completed_at: null,
        canceled_at: null,
      };
      await db
        .insertInto('envelopes')
        .values({ id: 'e1', certificate_id: 'IK-1', ...envelope })
        .execute();
      await assert.rejects(
        db
          .insertInto('envelopes')
          .values({ id: 'e2', certificate_id: 'IK-1', ...envelope })
          .execute(),
      );
      await db
        .insertInto('documents')
        .values({
          id: 'd1',
          envelope_id: 'e1',
          position: 0,
          name: 'a.pdf',
          pages: 1,
          size: 10,
          sha256_original: 's',
          sha256_current: 's',
          blob_original: 'b',
          blob_current: 'b',
        })
        .execute();
      const recipient = {
        envelope_id: 'e1',
        name: 'R',
        email: 'r@x.jp',
        language: 'ja' as const,
        auth: 'access_code' as const,
        user_id: null,
        access_code_hash: 'c',
        failed_attempts: 0,
        status: 'pending' as const,
        notified_at: null,
        viewed_at: null,
        signed_at: null,
        declined_at: null,
        decline_reason: null,
        locked_at: null,
        signed_ip: null,
        signed_user_agent: null,
      };
      await db
        .insertInto('recipients')
        .values({ id: 'r1', signing_order: 1, link_token_hash: null, ...recipient })
        .execute();
      await db
        .insertInto('recipients')
        .values({ id: 'r2', signing_order: 2, link_token_hash: null, ...recipient })
        .execute();
      // Equal orders sign in parallel since 013; the role is checked.
      await db
        .insertInto('recipients')
        .values({ id: 'r3', signing_order: 2, link_token_hash: 'x', ...recipient })
        .execute();
      await assert.rejects(
        db
          .insertInto('recipients')
          .values({ id: 'r4', signing_order: 3, link_token_hash: null, ...recipient, role: 'viewer' as 'cc' })
          .execute(),
        Error,
        'a role is signer or cc',
      );
      await db.updateTable('recipients').set({ link_token_hash: 'L' }).where('id', '=', 'r1').execute();
      await assert.rejects(db.updateTable('recipients').set({ link_token_hash: 'L' }).where('id', '=', 'r2').execute());
      const mail = { to_address: 't', from_address: 'f', subject: 's', text_body: 't', html_body: 'h', created_at: T };
      await db
        .insertInto('mails')
        .values({ id: 'm1', idempotency_key: 'i', ...mail })
        .execute();
      await db
        .insertInto('mails')
        .values({ id: 'm2', idempotency_key: null, ...mail })
        .execute();
      await db
        .insertInto('mails')
        .values({ id: 'm3', idempotency_key: null, ...mail })
        .execute();
      await assert.rejects(
        db
          .insertInto('mails')
          .values({ id: 'm4', idempotency_key: 'i', ...mail })
          .execute(),
      );

      const job = {
        kind: 'envelope.sign',
        payload: '{}',
        attempts: 0,
        max_attempts: 8,
        run_at: T,
        locked_by: null,
        locked_until: null,
        last_error: null,
        created_at: T,
        finished_at: null,
        worker_id: null,
        first_attempt_at: null,
        organization_id: null,
        failed_notice_at: null,
      };
      await db
        .insertInto('jobs')
        .values({ id: 'j1', dedupe_key: 'k', status: 'queued', ...job })
        .execute();
      await assert.rejects(
        db
          .insertInto('jobs')
          .values({ id: 'j2', dedupe_key: 'k', status: 'running', ...job })
          .execute(),
        Error,
        'one active job per dedupe key',
      );
      await db
        .insertInto('jobs')
        .values({ id: 'j3', dedupe_key: 'k', status: 'done', ...job })
        .execute();
      await db
        .insertInto('jobs')
        .values({ id: 'j4', dedupe_key: 'k', status: 'failed', ...job })
        .execute();
      await db
        .insertInto('jobs')
        .values({ id: 'j5', dedupe_key: null, status: 'queued', ...job })
        .execute();
      await db
        .insertInto('jobs')
        .values({ id: 'j6', dedupe_key: null, status: 'queued', ...job })
        .execute();

      const event = {
        organization_id: 'o1',
        envelope_id: 'e1',
        actor_type: 'system' as const,
        actor_id: null,
        action: 'a',
        ip: null,
        user_agent: null,
        details: '{}',
        created_at: T,
        prev_hash: '0',
      };
      await db
        .insertInto('events')
        .values({ id: 'v1', hash: 'h1', ...event })
        .execute();
      await db
        .insertInto('events')
        .values({ id: 'v2', hash: 'h2', ...event })
        .execute();
      const seqs = (await db.selectFrom('events').select('seq').orderBy('seq').execute()).map((r) => r.seq);
      assert.equal(seqs.length, 2);
      assert.equal(typeof seqs[0], 'number');
      assert.ok(seqs[1] > seqs[0]);

      // Deleting the organisation removes what belongs to it (accounts stay: they are people's); the operation log stays.
      await db.deleteFrom('organizations').where('id', '=', 'o1').execute();
      for (const table of ['api_keys', 'envelopes', 'documents', 'recipients'] as const) {
        assert.equal((await db.selectFrom(table).select('id').execute()).length, 0, table);
      }
      assert.deepEqual(
        (await db.selectFrom('memberships').select('organization_id').execute()).map((m) => m.organization_id),
        ['o2'],
      );
      assert.equal((await db.selectFrom('users').select('id').execute()).length, 2);
      assert.equal((await db.selectFrom('events').select('id').execute()).length, 2);
      const counted = await db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(counted.n, 5, 'COUNT(*) comes back as a number');
    });
  });
}

for (const dialect of DIALECTS) {
  test(`003-accounts on ${dialect}: an 002-era database keeps its users, roles, sessions and links`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inkan-mig3-'));
    const created = await createTestDatabase(dialect, dir);
    const opened = await openDatabase(created.url, dir);
    try {
      const all = migrations(opened.dialect);
      const upTo002 = { '001-initial': all['001-initial']!, '002-evidence': all['002-evidence']! };
      const old = await new Migrator({
        db: opened.db,
        provider: { getMigrations: async () => upTo002 },
      }).migrateToLatest();
      assert.equal(old.error, undefined);
      // Rows as the 002 schema had them (users with organization_id and role), written as raw SQL.
      await sql`insert into organizations (id, name, slug, created_at) values ('o1', '横浜市', 'yokohama', ${T}), ('o2', 'Other', 'other', ${T})`.execute(
        opened.db,
      );
      await sql`insert into users (id, organization_id, email, name, role, password_hash, created_at) values
        ('u1', 'o1', 'admin@x.jp', '管理者', 'admin', 'hash-1', ${T}),
        ('u2', 'o1', 'viewer@x.jp', '閲覧者', 'viewer', null, ${T}),
        ('u3', 'o2', 'member@y.jp', 'Member', 'member', 'hash-3', ${T})`.execute(opened.db);
      await sql`insert into sessions (token_hash, user_id, csrf_token, created_at, expires_at) values ('s1', 'u1', 'c1', ${T}, ${T})`.execute(
        opened.db,
      );
      await sql`insert into login_links (token_hash, user_id, created_at, expires_at, used_at) values ('l1', 'u2', ${T}, ${T}, null)`.execute(
        opened.db,
      );
      await sql`insert into envelopes (id, organization_id, created_by_user_id, created_by_api_key_id, name, message, status, certificate_id, expires_at, created_at, sent_at, completed_at, canceled_at)
        values ('e1', 'o1', 'u1', null, 'E', '', 'draft', 'IK-1', null, ${T}, null, null, null)`.execute(opened.db);
      await sql`insert into recipients (id, envelope_id, signing_order, name, email, language, auth, user_id, access_code_hash, failed_attempts, status, link_token_hash)
        values ('r1', 'e1', 1, '閲覧者', 'viewer@x.jp', 'ja', 'login', 'u2', null, 0, 'pending', null)`.execute(
        opened.db,
      );

      // Later migrations (006 …) run too; this test is about what 003 does to 002-era rows.
      assert.deepEqual((await migrateToLatest(opened.db, opened.dialect))[0], '003-accounts');
      const db = opened.db;
      assert.deepEqual(
        await db
          .selectFrom('users')
          .select(['id', 'email', 'name', 'password_hash', 'created_at', 'company_name'])
          .orderBy('id')
          .execute(),
        [
          { id: 'u1', email: 'admin@x.jp', name: '管理者', password_hash: 'hash-1', created_at: T, company_name: null },
          { id: 'u2', email: 'viewer@x.jp', name: '閲覧者', password_hash: null, created_at: T, company_name: null },
          {
            id: 'u3',
            email: 'member@y.jp',
            name: 'Member',
            password_hash: 'hash-3',
            created_at: T,
            company_name: null,
          },
        ],
      );
      assert.deepEqual(await db.selectFrom('memberships').selectAll().orderBy('user_id').execute(), [
        // deactivated_at: added by 008, null (active) for every existing membership.
        { user_id: 'u1', organization_id: 'o1', role: 'admin', created_at: T, deactivated_at: null },
        { user_id: 'u2', organization_id: 'o1', role: 'viewer', created_at: T, deactivated_at: null },
        { user_id: 'u3', organization_id: 'o2', role: 'member', created_at: T, deactivated_at: null },
      ]);
      const session = await db.selectFrom('sessions').selectAll().executeTakeFirstOrThrow();
      assert.equal(session.organization_id, 'o1', 'an existing session keeps its organisation');
      assert.equal(session.last_seen_at, T);
      assert.equal((await db.selectFrom('login_links').select('user_id').executeTakeFirstOrThrow()).user_id, 'u2');
      assert.equal(
        (await db.selectFrom('envelopes').select('created_by_user_id').executeTakeFirstOrThrow()).created_by_user_id,
        'u1',
      );
      assert.equal((await db.selectFrom('recipients').select('user_id').executeTakeFirstOrThrow()).user_id, 'u2');
      // The rebuilt table is still the target of every foreign key, and they are enforced again.
      await assert.rejects(
        db
          .insertInto('sessions')
          .values({ token_hash: 's2', user_id: 'nobody', csrf_token: 'c', created_at: T, expires_at: T })
          .execute(),
        Error,
        'foreign keys are enforced',
      );
      await db.deleteFrom('users').where('id', '=', 'u1').execute();
      assert.equal(
        (await db.selectFrom('envelopes').select('created_by_user_id').executeTakeFirstOrThrow()).created_by_user_id,
        null,
        'created_by set null',
      );
      assert.equal((await db.selectFrom('sessions').select('token_hash').execute()).length, 0, 'sessions cascade');
      assert.deepEqual(
        (await db.selectFrom('memberships').select('user_id').orderBy('user_id').execute()).map((m) => m.user_id),
        ['u2', 'u3'],
      );
    } finally {
      await opened.close();
      await created.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

describe('migrateToLatest', () => {
  test('throws, naming the migration, when the schema cannot be created', async () => {
    for (const dialect of DIALECTS) {
      const dir = mkdtempSync(join(tmpdir(), 'inkan-mig-'));
      const created = await createTestDatabase(dialect, dir);
      const opened = await openDatabase(created.url, dir);
      try {
        await sql`create table users (something text)`.execute(opened.db);
        await assert.rejects(
          migrateToLatest(opened.db, opened.dialect),
          /database migration failed \(migration 001-initial\)/,
        );
        // Nothing half-done: the migration ran in a transaction.
        const tables = (await opened.db.introspection.getTables()).map((t) => t.name);
        assert.ok(!tables.includes('organizations'), `${dialect}: ${tables.join(', ')}`);
      } finally {
        await opened.close();
        await created.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  test('the SQLite file is opened with WAL, a busy timeout and foreign keys on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inkan-sqlite-'));
    const opened = await openDatabase(undefined, dir);
    try {
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(opened.db)).rows[0] as object)[0];
      assert.equal(await pragma('journal_mode'), 'wal');
      assert.equal(await pragma('busy_timeout'), 5000);
      assert.equal(await pragma('foreign_keys'), 1);
      assert.equal(opened.dialect, 'sqlite');
    } finally {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const dialect of DIALECTS) {
  test(`028-archive-owners on ${dialect}: a 026-era database keeps its archive versions; pending bulk rows' codes move out of the JSON`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inkan-mig28-'));
    const created = await createTestDatabase(dialect, dir);
    const opened = await openDatabase(created.url, dir);
    try {
      const all = migrations(opened.dialect);
      const upTo026 = Object.fromEntries(Object.entries(all).filter(([name]) => name <= '026-register-scale'));
      const old = await new Migrator({
        db: opened.db,
        provider: { getMigrations: async () => upTo026 },
      }).migrateToLatest();
      assert.equal(old.error, undefined);
      const db = opened.db;
      await sql`insert into organizations (id, name, slug, created_at) values ('o1', '横浜市', 'yokohama', ${T})`.execute(
        db,
      );
      await sql`insert into envelopes (id, organization_id, created_by_user_id, created_by_api_key_id, name, message, status, certificate_id, expires_at, created_at, sent_at, completed_at, canceled_at)
        values ('e1', 'o1', null, null, 'E', '', 'completed', 'IK-1', null, ${T}, ${T}, ${T}, null)`.execute(db);
      await sql`insert into archive_versions (id, organization_id, envelope_id, subject_id, subject_kind, name, version, blob, size, sha256, sha256_original, sha256_previous, timestamp_at, tsa_subject, tsa_expires_at, timestamp_hash, reason, current, recorded_at, renewed_at)
        values ('v1', 'o1', 'e1', 'd1', 'document', 'a.pdf', 1, 'blob-1', 10, 'h1', 'h1', null, ${T}, 'CN=TSA', ${T}, 'sha256', 'sealed', 1, ${T}, null)`.execute(
        db,
      );
      await sql`insert into bulk_sends (id, organization_id, template_id, created_by_user_id, created_by_api_key_id, submission_key, file_name, total_rows, created_at)
        values ('b1', 'o1', 't1', null, null, 'key', 'bulk.csv', 2, ${T})`.execute(db);
      const person = (name: string, sealed: string | null) => ({
        roleId: 'role',
        name,
        email: `${name}@example.jp`,
        accessCodeSealed: sealed,
      });
      const rowData = (people: object[]) => JSON.stringify({ variables: { 会社名: '株式会社A' }, people });
      await sql`insert into bulk_send_rows (id, bulk_send_id, row_number, data, status, envelope_id, error_code, finished_at) values
        ('r1', 'b1', 1, ${rowData([person('a', '$s1$sealed-a'), person('b', null), person('c', '$s1$sealed-c')])}, 'pending', null, null, null),
        ('r2', 'b1', 2, ${rowData([person('d', '$s1$sealed-d')])}, 'sent', 'e1', null, ${T})`.execute(db);

      // Every later migration runs (027 and the approval reminders' 030 too); 028 is among them.
      assert.ok((await migrateToLatest(db, opened.dialect)).includes('028-archive-owners'));
      const [version] = await db.selectFrom('archive_versions').selectAll().execute();
      assert.deepEqual(
        [version!.id, version!.organization_id, version!.owner_user_id, version!.envelope_id, version!.contract_id],
        ['v1', 'o1', null, 'e1', null],
      );
      assert.deepEqual([version!.sha256_original, version!.tsa_expires_at, version!.current], ['h1', T, 1]);
      // The pending row's codes are in their table (by recipient position); the sent row's are dropped.
      assert.deepEqual(await db.selectFrom('bulk_send_row_codes').selectAll().orderBy('position').execute(), [
        { row_id: 'r1', position: 0, access_code_sealed: '$s1$sealed-a' },
        { row_id: 'r1', position: 2, access_code_sealed: '$s1$sealed-c' },
      ]);
      const rows = await db.selectFrom('bulk_send_rows').select(['id', 'data']).orderBy('id').execute();
      for (const row of rows) assert.ok(!row.data.includes('$s1$'), `${row.id}: no sealed code left in the JSON`);
      assert.deepEqual(JSON.parse(rows[0]!.data).people[2], { roleId: 'role', name: 'c', email: 'c@example.jp' });
      // A version needs exactly one owner; an account's copy needs no envelope.
      await assert.rejects(
        sql`insert into archive_versions (id, organization_id, envelope_id, subject_id, subject_kind, name, version, blob, size, sha256, sha256_original, reason, current, recorded_at)
          values ('v2', null, null, 'd2', 'imported', 'b.pdf', 1, 'blob-2', 10, 'h2', 'h2', 'sealed', 1, ${T})`.execute(
          db,
        ),
      );
      await assert.rejects(
        sql`insert into archive_versions (id, organization_id, envelope_id, subject_id, subject_kind, name, version, blob, size, sha256, sha256_original, reason, current, recorded_at)
          values ('v3', 'o1', null, 'd3', 'copy', 'b.pdf', 1, 'blob-3', 10, 'h3', 'h3', 'sealed', 1, ${T})`.execute(db),
        Error,
        'an unknown subject kind',
      );
    } finally {
      await opened.close();
      await created.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('033-unlogged-rate-limits on postgres: the counters are UNLOGGED, keep their rows, and down makes them logged again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-mig33-'));
  const created = await createTestDatabase('postgres', dir);
  const opened = await openDatabase(created.url, dir);
  const persistence = async () =>
    (
      await sql<{
        p: string;
      }>`select relpersistence as p from pg_class where relname = 'rate_limits' and relkind = 'r'`.execute(opened.db)
    ).rows[0]!.p;
  try {
    const all = migrations(opened.dialect);
    const before033 = Object.fromEntries(Object.entries(all).filter(([name]) => name < '033-unlogged-rate-limits'));
    const old = await new Migrator({
      db: opened.db,
      provider: { getMigrations: async () => before033 },
    }).migrateToLatest();
    assert.equal(old.error, undefined);
    await sql`insert into rate_limits (bucket, window_start, hits) values ('http:GET/x:127.0.0.1', ${T}, 7)`.execute(
      opened.db,
    );
    assert.equal(await persistence(), 'p', 'logged before');
    assert.deepEqual(await migrateToLatest(opened.db, opened.dialect), ['033-unlogged-rate-limits']);
    assert.equal(await persistence(), 'u');
    assert.deepEqual(await opened.db.selectFrom('rate_limits').select(['bucket', 'hits']).execute(), [
      { bucket: 'http:GET/x:127.0.0.1', hits: 7 },
    ]);
    const down = await new Migrator({ db: opened.db, provider: { getMigrations: async () => all } }).migrateDown();
    assert.equal(down.error, undefined);
    assert.equal(await persistence(), 'p', 'logged after down');
  } finally {
    await opened.close();
    await created.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
