// One sealing for the secrets the service needs in clear again (webhook secrets, SSO client secrets,
// organisations' uploaded signing keys, re-showable access codes, accounts' TOTP seeds), under the versioned key-encryption
// key: `inkan keys rotate` (the real CLI, as a process) reseals them with the documents' data keys —
// first to a newer KEK derived from the master key (the DB KEK), then into SoftHSM2, then to a newer HSM
// key with --remove-old — and after each step a webhook ping still signs, the SSO secret still decrypts,
// the organisation's certificate still signs, the access code is still re-showable through the API,
// two accounts still sign in with their authenticator app (one enrolled now, one whose seed is stored
// in the first format), and a bulk send row still pending through all three rotations is then sent with
// its recipient's access code.
// Values of the first format (before the KEK) still open and are resealed; a value moved to another
// row, purpose or KEK version does not open. SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createSoftHsmToken, tokenHasAesKey, type SoftHsmToken } from '../../../core/test/helpers/softhsm.ts';
import { makeExternalCa, makePkcs12, type ExternalCa } from '../../../core/test/helpers/external-ca.ts';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import type { SecretPurpose } from '../../src/ports/secret-seal.ts';
import type { WebhookRequest } from '../../src/ports/webhook-sender.ts';
import { oidcSettingsOf } from '../../src/domain/sign-in-security/sso-connections.ts';
import { organizationSigning } from '../../src/domain/signing-certificates/organization-signing.ts';
import { uploadSigningCertificate } from '../../src/domain/use-cases/manage-signing-certificate.ts';
import { createWebhookEndpoint } from '../../src/domain/use-cases/manage-webhook-endpoints.ts';
import { sendBulkRow } from '../../src/domain/use-cases/send-bulk-row.ts';
import { startBulkSend } from '../../src/domain/use-cases/start-bulk-send.ts';
import { sendWebhookPing } from '../../src/domain/use-cases/send-webhook-ping.ts';
import { updateSsoConnection } from '../../src/domain/use-cases/update-sso-connection.ts';
import { verifyWebhookSignature } from '../../src/domain/webhooks/webhook-signature.ts';
import { deriveKey, readMasterKey } from '../../src/security/server-keys.ts';
import { hashPassword, newId } from '../../src/security/tokens.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { totpAt } from '../helpers/totp.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';

const SSO_SECRET = 'sso-クライアント-secret';
const ACCESS_CODE = '4821';
const BULK_CODE = '7306';
const LEGACY_WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64url')}`;

/** The sealing of before the KEK (each purpose with its own key and associated-data prefix), as stored then. */
function legacySeal(masterKey: Uint8Array, label: string, aad: string, plaintext: Uint8Array | string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(masterKey, label), iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

let token: SoftHsmToken;
let work: string;
let ca: ExternalCa;
let p12: Uint8Array;

before(async () => {
  token = await createSoftHsmToken({ label: 'inkan-secret-kek' });
  work = mkdtempSync(join(tmpdir(), 'inkan-secrets-'));
  // RSA: its PKCS#8 (~1.2 kB) is larger than what the HSM seals directly (1 kB).
  ca = await makeExternalCa(join(work, 'ca'), { key: 'rsa' });
  p12 = makePkcs12(work, 'org', {
    keyPath: ca.leaf.keyPath,
    certificatePath: ca.leaf.pemPath,
    chain: [ca.intermediate.certificate.pemPath, ca.rootPemPath],
    password: 'pass',
  });
});
after(async () => {
  await ca?.close();
  token?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

for (const dialect of DIALECTS) {
  describe(`sealed secrets and inkan keys rotate (${dialect})`, () => {
    let h: Harness;
    const labelPrefix = `secrets-${dialect}`;
    const ids = { endpoint: '', legacyEndpoint: '', sso: '', envelope: '', recipient: '', secret: '', bulkRow: '' };
    /** Accounts signing in with an authenticator app: one enrolled through the API, one with a first-format seed. */
    const totpUsers: Array<{ id: string; email: string; password: string; seed: string | Uint8Array }> = [];
    let ip = 0;
    const kekEnv = () => ({
      INKAN_KEK_PKCS11_LIBRARY: token.libraryPath,
      INKAN_KEK_PKCS11_TOKEN: token.label,
      INKAN_KEK_PKCS11_PIN: token.pin,
      INKAN_KEK_PKCS11_KEY_LABEL: labelPrefix,
    });
    const inkan = (args: string[], hsm: boolean) =>
      runInkan(['keys', ...args], {
        dataDir: h.test.dataDir,
        env: {
          INKAN_ENV: 'test',
          INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
          ...(h.test.database.url ? { INKAN_DATABASE_URL: h.test.database.url } : {}),
          ...(hsm ? kekEnv() : {}),
        },
      });
    const hsmHas = (label: string): boolean => tokenHasAesKey(token, label);
    const actor = () => ({ type: 'user' as const, id: h.org.admin.id });
    /** Every stored secret, as stored. */
    const stored = async (): Promise<string[]> => {
      const places = [
        ['webhook_endpoints', 'secret_ciphertext', 'organization_id', h.org.id],
        ['sso_connections', 'oidc_client_secret_ciphertext', 'id', ids.sso],
        ['signing_certificates', 'key_ciphertext', 'organization_id', h.org.id],
        ['recipients', 'access_code_sealed', 'id', ids.recipient],
        ...totpUsers.map((u) => ['totp_factors', 'secret_ciphertext', 'user_id', u.id] as const),
        ['bulk_send_row_codes', 'access_code_sealed', 'row_id', ids.bulkRow],
      ] as const;
      const values: string[] = [];
      for (const [table, column, key, id] of places) {
        const result = await sql<{ value: string }>`select ${sql.ref(column)} as value from ${sql.table(table)}
          where ${sql.ref(key)} = ${id}`.execute(h.context.db);
        assert.ok(result.rows.length > 0, table);
        values.push(...result.rows.map((r) => r.value));
      }
      return values;
    };

    /** Each secret used the way the service uses it. */
    const assertAllWork = async () => {
      for (const [endpointId, secret] of [
        [ids.endpoint, ids.secret],
        [ids.legacyEndpoint, LEGACY_WEBHOOK_SECRET],
      ] as const) {
        const sent: WebhookRequest[] = [];
        const webhooks = {
          post: async (request: WebhookRequest) => {
            sent.push(request);
            return { ok: true, statusCode: 204, error: null };
          },
          close: () => undefined,
        };
        await sendWebhookPing({ ...h.context, webhooks }, { organizationId: h.org.id, endpointId, actor: actor() });
        assert.equal(sent.length, 1);
        const header = sent[0]!.headers['inkan-signature'] ?? '';
        assert.ok(verifyWebhookSignature(secret, header, sent[0]!.body), `the ping of ${endpointId} is signed`);
      }
      const connection = await h.context.db
        .selectFrom('sso_connections')
        .selectAll()
        .where('id', '=', ids.sso)
        .executeTakeFirstOrThrow();
      assert.equal((await oidcSettingsOf(h.context, connection)).clientSecret, SSO_SECRET);
      const signing = await organizationSigning(h.context, h.org.id, h.context.clock.now());
      const data = randomBytes(64);
      const signature = await signing.signer!.sign(data);
      assert.ok(verify('sha256', data, new X509Certificate(ca.leaf.der).publicKey, signature), 'the key signs');
      const revealed = await h.api(
        h.org,
        'POST',
        `/api/v1/envelopes/${ids.envelope}/recipients/${ids.recipient}/access-code/reveal`,
      );
      assert.equal(revealed.statusCode, 200, revealed.body);
      assert.equal(revealed.json<{ accessCode: string }>().accessCode, ACCESS_CODE);
      h.clock.advance(30_000); // a new TOTP step: no code of an earlier sign-in is replayed
      for (const user of totpUsers) {
        const signedIn = await signInWithTotp(user);
        assert.equal(signedIn.statusCode, 200, `${user.email}: ${signedIn.body}`);
        assert.ok(signedIn.cookies.some((c) => c.name === 'inkan_session'));
      }
    };
    const post = (url: string, payload: object, cookie?: string, csrf?: string) =>
      h.app.inject({
        method: 'POST',
        url,
        payload,
        remoteAddress: `10.9.0.${++ip}`,
        headers: { 'accept-language': 'ja', ...(cookie ? { cookie, 'x-csrf-token': csrf } : {}) },
      });
    /** The password step, then the authenticator app's current code: the answer of the second step. */
    const signInWithTotp = async (user: (typeof totpUsers)[number]) => {
      const first = await post('/api/session', { email: user.email, password: user.password });
      assert.equal(first.json<{ secondFactorRequired?: boolean }>().secondFactorRequired, true, first.body);
      return post('/api/session/second-factor', {
        challengeToken: first.json<{ challengeToken: string }>().challengeToken,
        code: totpAt(user.seed, h.clock.now()),
      });
    };
    const newMember = async () => {
      const id = newId();
      const user = { id, email: `totp-${id.slice(0, 8)}@example.jp`, password: 'pw correct horse staple', seed: '' };
      const at = h.clock.now().toISOString();
      await h.context.db
        .insertInto('users')
        .values({
          id,
          email: user.email,
          name: '二要素 花子',
          password_hash: await hashPassword(user.password),
          created_at: at,
        })
        .execute();
      await h.context.db
        .insertInto('memberships')
        .values({ user_id: id, organization_id: h.org.id, role: 'member', created_at: at })
        .execute();
      return user;
    };

    before(async () => {
      h = await startHarness(dialect, { env: kekEnv() });
      const created = await createWebhookEndpoint(h.context, {
        organizationId: h.org.id,
        actor: actor(),
        url: 'https://receiver.example.jp/hooks/inkan',
        events: ['envelope.completed'],
      });
      ids.endpoint = created.endpoint.id;
      ids.secret = created.secret;
      const legacy = await createWebhookEndpoint(h.context, {
        organizationId: h.org.id,
        actor: actor(),
        url: 'https://receiver.example.jp/hooks/old',
        events: ['envelope.completed'],
      });
      ids.legacyEndpoint = legacy.endpoint.id;
      // An endpoint whose secret was stored before the KEK: the old format, as the database holds it.
      const masterKey = await readMasterKey(h.context.config);
      await h.context.db
        .updateTable('webhook_endpoints')
        .set({
          secret_ciphertext: legacySeal(
            masterKey,
            'webhook-secret-encryption',
            `webhook:${legacy.endpoint.id}`,
            LEGACY_WEBHOOK_SECRET,
          ),
        })
        .where('id', '=', legacy.endpoint.id)
        .execute();
      ids.sso = (
        await updateSsoConnection(h.context, {
          organizationId: h.org.id,
          actor: actor(),
          adminEmail: h.org.admin.email,
          settings: {
            protocol: 'oidc',
            name: '社内 IdP',
            enabled: false,
            oidc: { issuer: 'https://idp.example.jp', clientId: 'inkan', clientSecret: SSO_SECRET },
            jitEnabled: false,
            defaultRole: 'member',
            enforced: false,
            breakGlassUserId: null,
            domains: [],
          },
        })
      ).id;
      await uploadSigningCertificate(h.context, {
        organizationId: h.org.id,
        actor: actor(),
        pkcs12: p12,
        password: 'pass',
      });
      await h.context.db
        .updateTable('signing_certificates')
        .set({ mode: 'organization' })
        .where('organization_id', '=', h.org.id)
        .execute();
      const envelope = await h.createEnvelope(
        h.org,
        {
          name: '鍵ローテーションの確認',
          recipients: [{ name: '山田 太郎', email: 'taro@contractor.example.jp', accessCode: ACCESS_CODE, order: 1 }],
        },
        [{ filename: '契約書.pdf', data: await makePdf({ pages: 1 }) }],
      );
      assert.equal(envelope.statusCode, 201, envelope.body);
      const body = envelope.json<{ id: string; recipients: Array<{ id: string }> }>();
      ids.envelope = body.id;
      ids.recipient = body.recipients[0]!.id;

      // An account enrolling its authenticator app now (the seed sealed under the current KEK).
      const enrolled = await newMember();
      const password = await post('/api/session', { email: enrolled.email, password: enrolled.password });
      assert.equal(password.statusCode, 200, password.body);
      const cookie = `inkan_session=${password.cookies.find((c) => c.name === 'inkan_session')!.value}`;
      const csrf = password.json<{ csrfToken: string }>().csrfToken;
      const started = await post('/api/account/security/totp', {}, cookie, csrf);
      assert.equal(started.statusCode, 200, started.body);
      enrolled.seed = started.json<{ secret: string }>().secret;
      const confirmed = await post(
        '/api/account/security/totp/confirm',
        { code: totpAt(enrolled.seed, h.clock.now()) },
        cookie,
        csrf,
      );
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      // An account whose seed was stored before the one seal: the first format, as the database holds it.
      const legacyTotp = { ...(await newMember()), seed: new Uint8Array(randomBytes(20)) };
      await h.context.db
        .insertInto('totp_factors')
        .values({
          user_id: legacyTotp.id,
          secret_ciphertext: legacySeal(masterKey, 'totp-seed-encryption', `totp:${legacyTotp.id}`, legacyTotp.seed),
          created_at: h.clock.now().toISOString(),
          confirmed_at: h.clock.now().toISOString(),
          last_used_step: null,
        })
        .execute();
      totpUsers.push(enrolled, legacyTotp);
      // A bulk send from a template of that draft, its one row left pending (its job is not run yet).
      const template = await h.api(h.org, 'POST', '/api/v1/templates', {
        envelopeId: ids.envelope,
        name: '鍵ローテーション中の一括送信',
        roleNames: ['取引先'],
      });
      assert.equal(template.statusCode, 201, template.body);
      const bulk = await startBulkSend(h.context, {
        organizationId: h.org.id,
        actor: actor(),
        templateId: template.json<{ id: string }>().id,
        csv: `取引先:氏名,取引先:メールアドレス,取引先:アクセスコード\r\n佐藤 花子,hanako@contractor.example.jp,${BULK_CODE}\r\n`,
        submissionKey: `rotation-${dialect}-0000000000`,
      });
      assert.equal(bulk.report.valid.length, 1, JSON.stringify(bulk.report));
      ids.bulkRow = (
        await h.context.db
          .selectFrom('bulk_send_rows')
          .select('id')
          .where('bulk_send_id', '=', bulk.bulkSendId)
          .executeTakeFirstOrThrow()
      ).id;
    });
    after(async () => h?.close());

    it('seals under the current KEK, reads the first format, and each secret works', async () => {
      const values = await stored();
      assert.equal(values.filter((v) => v.startsWith('$s1$master-v1$')).length, values.length - 2);
      assert.equal(values.filter((v) => !v.startsWith('$')).length, 2, 'the legacy webhook secret and TOTP seed');
      await assertAllWork();
    });

    it('a sealed value does not open for another row, another purpose or another KEK version', async () => {
      const [value] = await stored();
      const other = randomBytes(8).toString('hex');
      await assert.rejects(h.context.secrets.openSecret('webhook-secret', value!, other, h.context.db));
      await assert.rejects(h.context.secrets.openSecret('access-code', value!, ids.endpoint, h.context.db));
      const relabelled = value!.replace('$webhook-secret$', '$access-code$');
      await assert.rejects(h.context.secrets.openSecret('access-code', relabelled, ids.endpoint, h.context.db));
      const parts = value!.split('$');
      // The same bytes said to be under another version (one that exists once rotated, derived likewise).
      const moved = ['', parts[1], 'master-v2', ...parts.slice(3)].join('$');
      await assert.rejects(h.context.secrets.openSecret('webhook-secret', moved, ids.endpoint, h.context.db));
      // A value of the first format opens only for its own purpose and row.
      const masterKey = await readMasterKey(h.context.config);
      const purposes: Array<[SecretPurpose, string, string]> = [
        ['webhook-secret', 'webhook-secret-encryption', 'webhook:'],
        ['sso-client-secret', 'sso-secret-encryption', 'sso:'],
        ['signing-key', 'signing-key-encryption', 'signing-key:'],
        ['access-code', 'access-code-encryption', 'access-code:'],
        ['totp-seed', 'totp-seed-encryption', 'totp:'],
      ];
      for (const [purpose, label, prefix] of purposes) {
        const old = legacySeal(masterKey, label, `${prefix}row-1`, `secret of ${purpose}`);
        assert.equal(
          (await h.context.secrets.openSecret(purpose, old, 'row-1', h.context.db)).toString(),
          `secret of ${purpose}`,
        );
        await assert.rejects(h.context.secrets.openSecret(purpose, old, 'row-2', h.context.db));
      }
      await assert.rejects(
        h.context.secrets.openSecret(
          'sso-client-secret',
          legacySeal(masterKey, 'webhook-secret-encryption', 'webhook:row-1', 'x'),
          'row-1',
          h.context.db,
        ),
      );
    });

    it('rotation to a newer DB KEK, into the HSM and on with --remove-old reseals every secret; all still work', async () => {
      const derived = await inkan(['rotate'], false);
      assert.equal(derived.code, 0, derived.stderr);
      assert.match(derived.stdout, /created key-encryption key master-v2 \(master/);
      assert.match(derived.stdout, /, 0 left under older versions; 8 secret\(s\) resealed/);
      assert.ok((await stored()).every((v) => v.startsWith('$s1$master-v2$')));
      await assertAllWork();

      const intoHsm = await inkan(['rotate'], true);
      assert.equal(intoHsm.code, 0, intoHsm.stderr);
      assert.match(
        intoHsm.stdout,
        new RegExp(`created key-encryption key pkcs11-v3 \\(pkcs11, label ${labelPrefix}-v3\\)`),
      );
      assert.match(intoHsm.stdout, /, 0 left under older versions; 8 secret\(s\) resealed/);
      assert.ok((await stored()).every((v) => v.startsWith('$s1$pkcs11-v3$')));
      await assertAllWork();

      const onward = await inkan(['rotate', '--remove-old'], true);
      assert.equal(onward.code, 0, onward.stderr);
      assert.match(onward.stdout, /created key-encryption key pkcs11-v4/);
      assert.match(onward.stdout, new RegExp(`removed pkcs11-v3: the HSM key "${labelPrefix}-v3" is destroyed`));
      assert.match(onward.stdout, /retired master-v2 \(derived from the master key: nothing to destroy\)/);
      assert.equal(hsmHas(`${labelPrefix}-v3`), false, 'the old KEK is gone from the token');
      assert.ok((await stored()).every((v) => v.startsWith('$s1$pkcs11-v4$')));
      await assertAllWork();

      const status = await inkan(['status'], true);
      assert.equal(status.code, 0, status.stderr);
      // Two webhook secrets, the SSO client secret, the signing key, the access code, two TOTP seeds and the bulk row's code.
      assert.match(status.stdout, /pkcs11-v4\tpkcs11\t.*\tcurrent\t\d+ live data key\(s\), 8 secret\(s\)/);
      assert.match(status.stdout, /pkcs11-v3\tpkcs11\t.*\tretired .*, 0 secret\(s\)/);

      // The bulk row's job runs only now, after its code's first KEKs are gone: it is sent with the code.
      await sendBulkRow(h.context, { rowId: ids.bulkRow });
      const row = await h.context.db
        .selectFrom('bulk_send_rows')
        .select(['status', 'envelope_id', 'error_code'])
        .where('id', '=', ids.bulkRow)
        .executeTakeFirstOrThrow();
      assert.deepEqual([row.status, row.error_code], ['sent', null]);
      const made = await h.api(h.org, 'GET', `/api/v1/envelopes/${row.envelope_id}`);
      assert.equal(made.json<{ status: string }>().status, 'sent');
      // The recipient's code (sealed to the recipient now; re-showable only by the sender's account).
      const recipient = await h.context.db
        .selectFrom('recipients')
        .select(['id', 'access_code_sealed'])
        .where('envelope_id', '=', row.envelope_id!)
        .executeTakeFirstOrThrow();
      assert.ok(recipient.access_code_sealed?.startsWith('$s1$pkcs11-v4$'));
      const code = await h.context.secrets.openSecret(
        'access-code',
        recipient.access_code_sealed!,
        recipient.id,
        h.context.db,
      );
      assert.equal(code.toString('utf8'), BULK_CODE);
      // Once the row is done its sealed code is gone (the recipient holds its own).
      assert.equal(
        (
          await h.context.db
            .selectFrom('bulk_send_row_codes')
            .select('row_id')
            .where('row_id', '=', ids.bulkRow)
            .execute()
        ).length,
        0,
      );
    });
  });
}
