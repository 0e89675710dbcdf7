/**
 * LTA renewal of the register's own copies (issue 13 part 5), on SQLite and PostgreSQL: a personal
 * account's 保管 copy of a completed envelope (signed document and certificate of completion), its
 * personal import, and an organisation's import — each timestamped by a TSA whose certificate lives
 * 20 days. With INKAN_RENEWAL_MARGIN=7d the daily run records them (owned by the account or the
 * organisation, not by the sender's envelope) and lists each in its owner's renewals only; 14 days
 * later (controlled clock) it renews them: the entry serves the new version (download, SHA-256), names
 * it with the original hash, and `inkan verify --at` a time after the short-lived TSA certificate
 * expired passes for the renewed personal copy and import and fails for them as stored first.
 * Deleting the account crypto-shreds every version of its copies; the organisation's retention, every
 * version of its import.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newestArchiveTimestamp } from '@inkan/core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { sha256Hex } from '../../src/domain/hashing.ts';
import { claimContract } from '../../src/domain/use-cases/claim-contract.ts';
import { deleteAccount } from '../../src/domain/use-cases/delete-account.ts';
import { importContract } from '../../src/domain/use-cases/import-contract.ts';
import { renewArchiveTimestamps, renewalDay } from '../../src/domain/use-cases/renew-archive-timestamps.ts';
import { shredExpiredDocuments } from '../../src/domain/use-cases/shred-expired-documents.ts';
import { hashPassword } from '../../src/security/tokens.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { useShortLivedTsa } from '../helpers/short-lived-tsa.ts';
import { completeEnvelope, SIGNER } from '../verify/helpers/signed-envelope.ts';

const DAY = 86_400_000;
const PERSON = { email: 'keeper@example.jp', password: 'correct horse battery staple' };

for (const dialect of DIALECTS) {
  describe(`LTA renewal of 保管 copies and imports (${dialect})`, () => {
    let h: Harness;
    let dir: string;
    let shortTsaNotAfter: Date;
    const personId = randomUUID();
    let claimedId: string;
    let personalImportId: string;
    let orgImportId: string;
    let session: Record<string, string>;
    const stored = new Map<string, Uint8Array>();

    before(async () => {
      h = await startHarness(dialect, { env: { INKAN_RENEWAL_MARGIN: '7d' } });
      dir = mkdtempSync(join(tmpdir(), 'inkan-renewal-copies-'));
      writeFileSync(join(dir, 'root.pem'), h.context.signing.pki.rootPem());
      // A personal account (no organisation): its register is its own.
      await h.context.db
        .insertInto('users')
        .values({
          id: personId,
          email: PERSON.email,
          name: '保管 太郎',
          password_hash: await hashPassword(PERSON.password),
          created_at: h.clock.now().toISOString(),
        })
        .execute();
      const shortLived = await useShortLivedTsa(h.context.signing, { days: 20 });
      try {
        await completeEnvelope(h, {
          name: '保管される業務委託契約',
          documents: [{ filename: '業務委託契約書.pdf', data: await makePdf({ pages: 1, text: 'Claimed copy' }) }],
        });
        const completion = (await h.mailsTo(SIGNER.email)).find((m) => m.subject === '電子署名完了のお知らせ');
        const token = /http:\/\/inkan\.test\/claim\/([A-Za-z0-9_-]+)/.exec(completion?.text_body ?? '')?.[1];
        assert.ok(token, 'a claim link in the completion mail');
        claimedId = (await claimContract(h.context, { token, userId: personId })).contractId;
        personalImportId = await importContract(h.context, {
          scope: { kind: 'personal', userId: personId },
          actor: { type: 'user', id: personId },
          contract: { title: '個人で取り込んだ契約' },
          document: { name: '個人契約.pdf', bytes: await makePdf({ pages: 1, text: 'Personal import' }) },
        });
        orgImportId = await importContract(h.context, {
          scope: { kind: 'organization', organizationId: h.org.id },
          actor: { type: 'user', id: h.org.admin.id },
          contract: { title: '組織で取り込んだ契約' },
          document: { name: '紙の契約.pdf', bytes: await makePdf({ pages: 1, text: 'Organisation import' }) },
        });
      } finally {
        // Renewals use the installation's own TSA again (its certificate lives years).
        shortLived.restore();
      }
      const rows = await h.context.db.selectFrom('contract_documents').select(['id', 'blob']).execute();
      for (const row of rows) stored.set(row.id, await h.context.blobs.get(row.blob));
      const info = newestArchiveTimestamp(
        stored.get(
          (
            await h.context.db
              .selectFrom('contract_documents')
              .select('id')
              .where('contract_id', '=', personalImportId)
              .executeTakeFirstOrThrow()
          ).id,
        )!,
      );
      assert.ok(info);
      assert.match(info.tsaSubject, /Short-lived Test TSA/);
      shortTsaNotAfter = info.tsaNotAfter;
      await signIn();
    });
    after(async () => {
      await h?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** A session of the personal account (again after the clock jumped past its end). */
    const signIn = async () => {
      const signedIn = await h.app.inject({ method: 'POST', url: '/api/session', payload: PERSON });
      assert.equal(signedIn.statusCode, 200, signedIn.body);
      session = {
        cookie: `inkan_session=${signedIn.cookies.find((c) => c.name === 'inkan_session')!.value}`,
        'x-csrf-token': signedIn.json().csrfToken,
      };
    };
    const verifyAt = async (pdf: Uint8Array, at: Date) => {
      const file = join(dir, `check-${randomUUID()}.pdf`);
      writeFileSync(file, pdf);
      return runInkan(['verify', file, '--trust', join(dir, 'root.pem'), '--at', at.toISOString(), '--json'], {
        dataDir: join(dir, 'no-data'),
      });
    };
    const copyVersions = () =>
      h.context.db
        .selectFrom('archive_versions')
        .selectAll()
        .where('contract_id', 'is not', null)
        .orderBy('subject_kind')
        .orderBy('contract_id')
        .orderBy('version')
        .execute();
    const personal = (url: string) => h.app.inject({ method: 'GET', url, headers: session });
    const documentsOf = async (contractId: string) =>
      h.context.db
        .selectFrom('contract_documents')
        .selectAll()
        .where('contract_id', '=', contractId)
        .orderBy('position')
        .execute();

    it('records each copy as its owner’s (not the envelope’s) and lists it in that owner’s renewals only', async () => {
      await renewArchiveTimestamps(h.context, { day: renewalDay(h.clock.now()) });
      const rows = await copyVersions();
      const claimedDocs = await documentsOf(claimedId);
      const [personalImport] = await documentsOf(personalImportId);
      const [orgImport] = await documentsOf(orgImportId);
      const owned = (id: string) => rows.find((r) => r.subject_id === id);
      assert.deepEqual(
        [...claimedDocs, personalImport!, orgImport!].map((d) => {
          const v = owned(d.id);
          return v && [v.subject_kind, v.version, v.current, v.organization_id, v.owner_user_id, v.envelope_id];
        }),
        [
          ['claimed-document', 1, 1, null, personId, null],
          ['claimed-certificate', 1, 1, null, personId, null],
          ['imported', 1, 1, null, personId, null],
          ['imported', 1, 1, h.org.id, null, null],
        ],
      );
      assert.equal(owned(personalImport!.id)!.tsa_expires_at, shortTsaNotAfter.toISOString());

      const mine = await personal('/api/v1/renewals');
      assert.equal(mine.statusCode, 200, mine.body);
      assert.deepEqual(
        mine
          .json()
          .upcoming.map((u: { subjectKind: string; contractId: string; due: boolean }) => [
            u.subjectKind,
            u.contractId,
            u.due,
          ])
          .sort(),
        [
          ['claimed-certificate', claimedId, false],
          ['claimed-document', claimedId, false],
          ['imported', personalImportId, false],
        ],
      );
      const imported = mine.json().upcoming.find((u: { subjectKind: string }) => u.subjectKind === 'imported');
      assert.equal(imported.contractTitle, '個人で取り込んだ契約');
      assert.equal(imported.dueAt, new Date(shortTsaNotAfter.getTime() - 7 * DAY).toISOString());
      // The organisation: its sealed files and its import, none of the account's copies.
      const org = (await h.api(h.org, 'GET', '/api/v1/renewals')).json();
      assert.deepEqual(
        org.upcoming
          .map((u: { subjectKind: string; contractId: string | null }) => [u.subjectKind, u.contractId])
          .sort(),
        [
          ['certificate', null],
          ['document', null],
          ['imported', orgImportId],
        ],
      );
      assert.equal(
        (await h.api(h.other, 'GET', '/api/v1/renewals')).json().upcoming.length,
        0,
        'another organisation sees nothing',
      );
      // An API key works on its organisation's register only: never an account's copies.
      const byKey = await h.api(h.org, 'GET', '/api/v1/renewals?scope=personal');
      assert.equal(byKey.statusCode, 403, byKey.body);
      assert.equal(byKey.json().error.code, 'FORBIDDEN');
    });

    it('14 days later renews every copy: the entry serves and names the new version; verify --at after the old TSA certificate’s end passes', async () => {
      h.clock.advance(14 * DAY);
      await signIn();
      const result = await renewArchiveTimestamps(h.context, { day: renewalDay(h.clock.now()) });
      // The sender's two sealed files and the four copies.
      assert.deepEqual(result, { recorded: 0, renewed: 6 });
      const at = new Date(shortTsaNotAfter.getTime() + 2 * DAY);
      for (const [contractId, scope] of [
        [claimedId, 'personal'],
        [personalImportId, 'personal'],
        [orgImportId, 'organization'],
      ] as const) {
        const [document] = await documentsOf(contractId);
        const versions = (await copyVersions()).filter((v) => v.subject_id === document!.id);
        assert.deepEqual(
          versions.map((v) => [v.version, v.current, v.reason]),
          [
            [1, 0, 'sealed'],
            [2, 1, 'tsa-expiry'],
          ],
        );
        const [v1, v2] = versions;
        assert.equal(v2!.sha256_original, v1!.sha256);
        assert.equal(v2!.sha256_previous, v1!.sha256);
        assert.equal(document!.sha256, v2!.sha256, 'the entry points at the current version');
        assert.equal(document!.blob, v2!.blob);

        const get = (url: string) => (scope === 'personal' ? personal(url) : h.api(h.org, 'GET', url));
        const entry = await get(`/api/v1/contracts/${contractId}`);
        assert.equal(entry.statusCode, 200, entry.body);
        const listed = entry.json().documents[0];
        assert.equal(listed.sha256, v2!.sha256);
        assert.deepEqual(listed.archive, {
          version: 2,
          sha256Original: v1!.sha256,
          renewedAt: v2!.renewed_at,
          tsaExpiresAt: v2!.tsa_expires_at,
        });
        const download = await get(`/api/v1/contracts/${contractId}/documents/${document!.id}`);
        assert.equal(download.statusCode, 200, download.body);
        const renewed = new Uint8Array(download.rawPayload);
        assert.equal(sha256Hex(renewed), v2!.sha256);
        const first = stored.get(document!.id)!;
        assert.equal(sha256Hex(first), v1!.sha256);
        assert.equal(Buffer.compare(renewed.subarray(0, first.length), first), 0, 'an incremental update');

        if (contractId === orgImportId) continue;
        // The proof, for the personal copy and the personal import.
        const unrenewed = await verifyAt(first, at);
        assert.equal(unrenewed.code, 1, unrenewed.stdout + unrenewed.stderr);
        const checked = await verifyAt(renewed, at);
        assert.equal(checked.code, 0, checked.stdout + checked.stderr);
        const stamps = JSON.parse(checked.stdout).signatures.filter(
          (s: { type: string }) => s.type === 'document-timestamp',
        );
        assert.ok(stamps.length >= 2);
        assert.ok(stamps.every((s: { status: string }) => s.status === 'valid'));
        assert.match(stamps[0].timestamp.tsa, /Short-lived Test TSA/);
      }
      // The certificate copy is renewed too, and the personal list shows the renewals done.
      const done = (await personal('/api/v1/renewals')).json().done;
      assert.deepEqual(done.map((d: { subjectKind: string; version: number }) => [d.subjectKind, d.version]).sort(), [
        ['claimed-certificate', 2],
        ['claimed-document', 2],
        ['imported', 2],
      ]);
      // The operation log: the organisation's import under the organisation; the account's without one.
      const events = await h.context.db
        .selectFrom('events')
        .select(['organization_id', 'envelope_id', 'details'])
        .where('action', '=', 'document.archive-renewed')
        .execute();
      assert.equal(events.length, 6);
      const byContract = (id: string) =>
        events.filter((e) => (JSON.parse(e.details) as { contractId?: string }).contractId === id);
      assert.deepEqual(
        byContract(claimedId).map((e) => [e.organization_id, e.envelope_id]),
        [
          [null, null],
          [null, null],
        ],
      );
      assert.deepEqual(
        byContract(orgImportId).map((e) => e.organization_id),
        [h.org.id],
      );
    });

    it('deleting the account crypto-shreds every version of its copies, and only those', async () => {
      const versions = (await copyVersions()).filter((v) => v.owner_user_id === personId);
      assert.equal(versions.length, 6, 'three copies, two versions each');
      await deleteAccount(h.context, { userId: personId, password: PERSON.password });
      assert.equal((await copyVersions()).filter((v) => v.owner_user_id === personId).length, 0);
      for (const v of versions) await assert.rejects(h.context.blobs.get(v.blob), `${v.subject_kind} v${v.version}`);
      // The organisation's import is untouched.
      const [orgImport] = await documentsOf(orgImportId);
      assert.equal(sha256Hex(await h.context.blobs.get(orgImport!.blob)), orgImport!.sha256);
    });

    it('the organisation’s retention shreds every version of its import, and no renewal touches it afterwards', async () => {
      h.clock.advance(11 * 365 * DAY);
      const swept = await shredExpiredDocuments(h.context);
      assert.ok(swept.shredded >= 2, JSON.stringify(swept));
      const versions = (await copyVersions()).filter((v) => v.contract_id === orgImportId);
      assert.equal(versions.length, 2);
      for (const v of versions) await assert.rejects(h.context.blobs.get(v.blob), `version ${v.version}`);
      // Due by now (the renewing TSA's certificate is years older), but shredded: not renewed.
      assert.deepEqual(await renewArchiveTimestamps(h.context, { day: renewalDay(h.clock.now()) }), {
        recorded: 0,
        renewed: 0,
      });
      assert.equal((await copyVersions()).filter((v) => v.contract_id === orgImportId).length, 2);
    });
  });
}
