// Public verification (/verify) through the HTTP API, on SQLite and PostgreSQL: a PDF signed and sealed
// by this Inkan, a tampered copy, every sample of the corpus (packages/core/test/fixtures/corpus), files that are not PDFs, the upload
// limit, the rate limits, "nothing is stored", and the public summary of a certificate of completion.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { corpusPath } from '../../../core/test/helpers/corpus.ts';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { maskEmail } from '../../src/domain/use-cases/get-public-certificate.ts';
import { normalizeCertificateId } from '../../src/http/verify/schema.ts';
import { CERTIFICATE_LOOKUP_RATE_LIMIT, VERIFY_RATE_LIMIT } from '../../src/http/verify/routes.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { multipart, startHarness, type Harness } from '../api/helpers/harness.ts';
import { completeEnvelope, SIGNER, tamperedCopy, type SignedEnvelope } from './helpers/signed-envelope.ts';

const MAX_UPLOAD_MB = 1;
const corpus = (...parts: string[]) => new Uint8Array(readFileSync(corpusPath('pyhanko', ...parts)));

interface VerifyResponse {
  report: {
    exitCode: number;
    attacks: string[];
    file: { sha256: string; pages: number | null };
    signatures: Array<{
      type: string;
      status: string;
      level: string | null;
      integrity: { digestMatches: boolean };
      laterChanges: { allowed: boolean };
    }>;
    problems: string[];
  };
  presentation: {
    verdict: string;
    headline: { ja: string; en: string };
    explanation: { ja: string; en: string };
    attacks: Array<{ id: string; name: { ja: string; en: string }; explanation: { ja: string; en: string } }>;
    signatures: Array<{
      index: number;
      type: string;
      status: string;
      signer: { name: string | null; email: string | null; organization: string | null } | null;
      time: { at: string; proven: boolean } | null;
      timestampAuthority: string | null;
      issuer: string;
      level: string | null;
      changesAfterSigning: string;
      laterChanges: Array<{ kind: string; allowed: boolean; text: { ja: string; en: string } }>;
      summary: { ja: string[]; en: string[] };
    }>;
  };
}

/** Every table's row count (whatever tables the migrations made), and every file under the data dir with its size. */
async function footprint(h: Harness): Promise<{ rows: Record<string, number>; files: Record<string, number> }> {
  const tables =
    h.dialect === 'sqlite'
      ? (
          await sql<{
            name: string;
          }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(h.context.db)
        ).rows.map((r) => r.name)
      : (
          await sql<{
            name: string;
          }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(
            h.context.db,
          )
        ).rows.map((r) => r.name);
  assert.ok(tables.includes('envelopes') && tables.includes('events'), tables.join());
  const rows: Record<string, number> = {};
  // The shared HTTP rate-limit counters (PostgreSQL) count every request by design: not stored data.
  for (const table of tables.filter((t) => t !== 'rate_limits')) {
    const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(
      h.context.db,
    );
    rows[table] = Number(result.rows[0].n);
  }
  const files: Record<string, number> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const info = statSync(path);
      if (info.isDirectory()) walk(path);
      // The SQLite file and its journal change size with checkpoints, not with what we store.
      else if (!/\.db(-wal|-shm|-journal)?$/.test(name)) files[relative(h.test.dataDir, path)] = info.size;
    }
  };
  walk(h.test.dataDir);
  assert.ok(existsSync(join(h.test.dataDir, 'blobs')), 'the blob store is inside the data dir');
  return { rows, files };
}

for (const dialect of DIALECTS) {
  describe(`public verification (${dialect})`, () => {
    let h: Harness;
    let envelope: SignedEnvelope;
    let ipCounter = 0;
    /** A fresh client address per call, so that only the rate-limit tests meet the limits. */
    const nextIp = () => `198.51.100.${++ipCounter}`;

    before(async () => {
      h = await startHarness(dialect, { env: { INKAN_MAX_UPLOAD_MB: String(MAX_UPLOAD_MB) } });
      envelope = await completeEnvelope(h);
    });
    after(async () => {
      await h?.close();
    });

    const upload = (
      data: Uint8Array,
      options: { ip?: string; filename?: string; language?: string; field?: string } = {},
    ): Promise<LightMyRequestResponse> => {
      const body = multipart([{ name: options.field ?? 'file', filename: options.filename ?? 'contract.pdf', data }]);
      return h.app.inject({
        method: 'POST',
        url: '/api/verify',
        payload: body.payload,
        headers: { ...body.headers, 'accept-language': options.language ?? 'ja' },
        remoteAddress: options.ip ?? nextIp(),
      });
    };
    const verify = async (data: Uint8Array): Promise<VerifyResponse> => {
      const res = await upload(data);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      return res.json();
    };
    const lookup = (id: string, ip = nextIp()) =>
      h.app.inject({ method: 'GET', url: `/api/verify/certificates/${encodeURIComponent(id)}`, remoteAddress: ip });

    it('a PDF signed and sealed by this Inkan: valid, trusted, B-LTA, explained in Japanese and English; nothing is stored', async () => {
      const before = await footprint(h);
      const { report, presentation } = await verify(envelope.signedPdf);
      assert.deepEqual(await footprint(h), before, 'verifying wrote nothing: no row, no blob, no file');

      assert.equal(report.exitCode, 0, JSON.stringify(report.problems));
      assert.equal(report.file.sha256, createHash('sha256').update(envelope.signedPdf).digest('hex'));
      assert.equal(presentation.verdict, 'valid');
      assert.deepEqual(presentation.headline, { ja: '有効', en: 'Valid' });
      assert.deepEqual(presentation.attacks, []);
      assert.deepEqual(
        presentation.signatures.map((s) => [s.index, s.type, s.status]),
        [
          [1, 'signature', 'valid'],
          [2, 'document-timestamp', 'valid'],
        ],
      );
      const [signature, seal] = presentation.signatures;
      assert.deepEqual(signature.signer, {
        name: SIGNER.name,
        email: SIGNER.email,
        organization: signature.signer?.organization ?? null,
      });
      assert.equal(signature.level, 'B-LTA');
      assert.equal(signature.issuer, 'this-inkan');
      assert.equal(signature.time?.proven, true);
      assert.equal(signature.timestampAuthority, 'Inkan Timestamp Authority');
      assert.equal(signature.changesAfterSigning, 'allowed');
      assert.ok(
        signature.laterChanges.length > 0 && signature.laterChanges.every((c) => c.allowed),
        JSON.stringify(signature.laterChanges),
      );
      assert.ok(
        signature.laterChanges.some(
          (c) => c.kind === 'document-timestamp-added' && c.text.ja === '文書タイムスタンプの追加',
        ),
      );
      const ja = signature.summary.ja.join('');
      assert.match(ja, new RegExp(`^${SIGNER.name}（${SIGNER.email.replace(/\./g, '\\.')}`));
      assert.match(ja, /Inkan Timestamp Authorityのタイムスタンプにより/);
      assert.match(ja, /日本時間/);
      assert.match(ja, /このInkanのルート証明書までたどれます/);
      assert.match(ja, /PAdES B-LTA/);
      assert.match(ja, /この署名は有効です。$/);
      assert.match(
        signature.summary.en.join(' '),
        /^Signed by 山田 太郎 .*UTC.*chain to this Inkan's root.*PAdES B-LTA.*This signature is valid\.$/,
      );
      assert.equal(seal.changesAfterSigning, 'unchanged');
      assert.equal(seal.level, null);
      assert.match(seal.summary.ja.join(''), /文書タイムスタンプです.*ファイルは一切変更されていません/);
    });

    it('a tampered copy (one byte changed in a signed range) is invalid, and says why', async () => {
      const { report, presentation } = await verify(tamperedCopy(envelope.signedPdf));
      assert.equal(report.exitCode, 1);
      assert.equal(presentation.verdict, 'invalid');
      assert.deepEqual(presentation.headline, { ja: '無効', en: 'Invalid' });
      const [signature] = presentation.signatures;
      assert.equal(signature.status, 'invalid');
      assert.equal(report.signatures[0].integrity.digestMatches, false);
      assert.deepEqual(
        presentation.signatures.map((s) => s.changesAfterSigning),
        ['altered', 'altered'],
      );
      assert.match(presentation.signatures[1].summary.ja.join(''), /タイムスタンプの後に文書が改ざんされています/);
      assert.match(
        signature.summary.ja.join(''),
        /署名された内容と、このファイルの内容が一致しません。署名の後に文書が改ざんされています。/,
      );
      assert.match(signature.summary.en.join(' '), /altered after signing/);
      assert.match(signature.summary.ja.at(-1)!, /この署名は無効です/);
    });

    it('the corpus: coverage anomalies are invalid with coverage-anomaly explained', async () => {
      const base = await verify(corpus('coverage-anomalies', 'base.pdf'));
      assert.equal(base.presentation.verdict, 'invalid');
      assert.equal(base.presentation.signatures[0].status, 'invalid');
      // Its signature value is not CMS at all: broken, which is not called tampering.
      assert.match(base.presentation.signatures[0].summary.ja.join(''), /署名の値を読み取れません/);
      assert.doesNotMatch(base.presentation.signatures[0].summary.ja.join(''), /改ざん/);
      for (const file of [
        'one-byterange.pdf',
        'signature-gap-too-big.pdf',
        'tail-uncovered.pdf',
        'weird-byterange.pdf',
      ]) {
        const { report, presentation } = await verify(corpus('coverage-anomalies', file));
        assert.equal(presentation.verdict, 'invalid', file);
        assert.ok(report.attacks.includes('coverage-anomaly'), `${file}: ${report.attacks}`);
        const explained = presentation.attacks.find((a) => a.id === 'coverage-anomaly');
        assert.ok(explained, file);
        assert.equal(explained.name.ja, '署名範囲の異常');
        assert.match(explained.explanation.ja, /署名されていない部分/);
        assert.match(presentation.signatures[0].summary.ja.join(''), /署名の対象範囲に異常があり/, file);
      }
    });

    it('the corpus: the sneaky form override is a forbidden change after signing', async () => {
      const { presentation } = await verify(corpus('suspicious', 'form-update-override-appearance-stream-sneaky.pdf'));
      assert.equal(presentation.verdict, 'invalid');
      const flagged = presentation.signatures.filter((s) => s.changesAfterSigning === 'forbidden');
      assert.ok(flagged.length > 0, JSON.stringify(presentation.signatures));
      const forbidden = flagged.flatMap((s) => s.laterChanges.filter((c) => !c.allowed));
      assert.ok(
        forbidden.some((c) => c.kind === 'appearance-changed' && c.text.ja === '1ページ目の表示内容（外観）の差し替え'),
        JSON.stringify(forbidden),
      );
      assert.match(
        flagged[0].summary.ja.join(''),
        /署名の後に、認められていない変更が加えられています：1ページ目の表示内容（外観）の差し替え。/,
      );
      assert.ok(presentation.attacks.length > 0);
      for (const attack of presentation.attacks)
        assert.ok(attack.explanation.ja.length > 20 && attack.explanation.en.length > 20, attack.id);
    });

    it("the corpus: pyHanko's B-LTA file is intact but untrusted (its root is not ours)", async () => {
      const { report, presentation } = await verify(corpus('valid', 'pades-lta-dss-indirect-arrs-test.pdf'));
      assert.equal(report.exitCode, 1);
      assert.equal(presentation.verdict, 'untrusted');
      assert.deepEqual(presentation.headline, { ja: '信頼できない発行元', en: 'Untrusted issuer' });
      assert.deepEqual(presentation.attacks, []);
      const [signature] = presentation.signatures;
      assert.equal(signature.status, 'untrusted');
      assert.equal(signature.level, 'B-LTA');
      assert.equal(signature.issuer, 'unknown');
      assert.equal(signature.signer?.name, 'Alice');
      assert.match(
        signature.summary.ja.join(''),
        /このInkanのルート証明書にも、ここで知られているどの発行元にもつながっていません/,
      );
      assert.ok(presentation.signatures.some((s) => s.type === 'document-timestamp'));
    });

    it('the corpus: malformed files get a verdict, never a 500', async () => {
      const files = readdirSync(corpusPath('pyhanko', 'malformed')).filter((f) => f.endsWith('.pdf'));
      assert.ok(files.length >= 7, files.join());
      const before = await footprint(h);
      for (const file of files) {
        const { report, presentation } = await verify(corpus('malformed', file));
        assert.equal(report.exitCode, 2, file);
        assert.ok(['unsigned', 'unreadable'].includes(presentation.verdict), `${file}: ${presentation.verdict}`);
        assert.equal(presentation.headline.ja, presentation.verdict === 'unsigned' ? '署名なし' : '読み取れません');
      }
      assert.deepEqual(await footprint(h), before);
    });

    it('an unsigned PDF and a file that is not a PDF get clear verdicts', async () => {
      const unsigned = await verify(await makePdf({ pages: 1 }));
      assert.equal(unsigned.presentation.verdict, 'unsigned');
      assert.deepEqual(unsigned.presentation.headline, { ja: '署名なし', en: 'Not signed' });
      assert.deepEqual(unsigned.presentation.signatures, []);
      const text = await verify(new TextEncoder().encode('これはPDFではありません。\n'));
      assert.equal(text.presentation.verdict, 'unreadable');
      assert.equal(text.report.file.pages, null);
      assert.match(text.presentation.explanation.ja, /PDFとして読み取れませんでした/);
    });

    it('refuses files over INKAN_MAX_UPLOAD_MB with 413 and the limit, whether the size is declared or streamed', async () => {
      const limit = MAX_UPLOAD_MB * 1024 * 1024;
      for (const size of [limit + 1, limit + 512 * 1024]) {
        const before = await footprint(h);
        const res = await upload(new Uint8Array(size).fill(0x25), { language: 'ja' });
        assert.equal(res.statusCode, 413, `${size}: ${res.body}`);
        assert.equal(res.json().error.code, 'PAYLOAD_TOO_LARGE');
        assert.equal(res.json().error.details.maxBytes, limit);
        assert.equal(res.json().error.message, `ファイルが大きすぎます（上限 ${MAX_UPLOAD_MB} MB）。`);
        assert.deepEqual(await footprint(h), before);
      }
      // Exactly the limit is accepted.
      assert.equal((await upload(new Uint8Array(limit).fill(0x25))).statusCode, 200);
      const english = await upload(new Uint8Array(limit + 1), { language: 'en' });
      assert.equal(english.json().error.message, `The upload is too large (limit ${MAX_UPLOAD_MB} MB).`);
    });

    it('refuses a request without the file part (400) and one that is not multipart (415)', async () => {
      const noFile = await upload(await makePdf(), { field: 'document' });
      assert.equal(noFile.statusCode, 400);
      assert.equal(noFile.json().error.code, 'VALIDATION_FAILED');
      assert.equal(noFile.json().error.details.field, 'file');
      const empty = await upload(new Uint8Array(0));
      assert.equal(empty.statusCode, 400);
      const raw = await h.app.inject({
        method: 'POST',
        url: '/api/verify',
        payload: Buffer.from(envelope.signedPdf),
        headers: { 'content-type': 'application/pdf' },
        remoteAddress: nextIp(),
      });
      assert.equal(raw.statusCode, 415, raw.body);
      assert.equal(raw.json().error.code, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it(`rate-limits verification per IP: ${VERIFY_RATE_LIMIT.max} a minute, then 429`, async () => {
      const ip = '203.0.113.7';
      const tiny = new TextEncoder().encode('not a pdf');
      for (let i = 0; i < VERIFY_RATE_LIMIT.max; i++)
        assert.equal((await upload(tiny, { ip })).statusCode, 200, `request ${i + 1}`);
      const limited = await upload(tiny, { ip });
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'RATE_LIMITED');
      assert.equal((await upload(tiny, { ip: '203.0.113.8' })).statusCode, 200, 'another client is not affected');
    });

    it('the public certificate summary: hashes to compare, masked e-mails, nothing else', async () => {
      const before = await footprint(h);
      const res = await lookup(envelope.certificateId);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(await footprint(h), before, 'a lookup changes nothing');
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['certificateId', 'documents', 'envelope', 'parties']);
      assert.equal(body.certificateId, envelope.certificateId);
      assert.equal(body.envelope.name, envelope.name);
      assert.ok(!Number.isNaN(Date.parse(body.envelope.completedAt)));
      assert.deepEqual(Object.keys(body.envelope).sort(), ['completedAt', 'name']);
      assert.deepEqual(
        body.documents.map((d: Record<string, unknown>) => [d.name, d.pages, d.sha256Original]),
        envelope.documents.map((d) => [d.name, d.pages, d.sha256Original]),
      );
      assert.equal(
        body.documents[0].sha256Signed,
        createHash('sha256').update(envelope.signedPdf).digest('hex'),
        'the hash of the signed file as downloaded',
      );
      assert.notEqual(body.documents[0].sha256Signed, body.documents[0].sha256Original);
      assert.deepEqual(Object.keys(body.documents[0]).sort(), [
        'name',
        'pages',
        'sha256Original',
        'sha256Signed',
        'versions',
      ]);
      assert.equal(body.parties.length, 1);
      assert.deepEqual(Object.keys(body.parties[0]).sort(), ['email', 'name', 'signedAt']);
      assert.equal(body.parties[0].name, SIGNER.name);
      assert.equal(body.parties[0].email, 't***@contractor.example.jp');
      assert.ok(!Number.isNaN(Date.parse(body.parties[0].signedAt)));
      // Nothing private: not the address, IP, user agent, message, organisation or any id.
      for (const secret of [
        SIGNER.email,
        'taro.yamada',
        '127.0.0.1',
        SIGNER.userAgent,
        envelope.message,
        h.org.name,
        h.org.admin.email,
        envelope.id,
        envelope.documents[0].id,
      ]) {
        assert.ok(!res.body.includes(secret), `the summary leaks ${secret}`);
      }
    });

    it('certificate IDs are found as people type them; unknown or unfinished ones are 404', async () => {
      const typed = envelope.certificateId.toLowerCase();
      const fullWidth = envelope.certificateId
        .replace(/[A-Z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))
        .replace(/-/g, '－');
      for (const id of [typed, fullWidth, ` ${envelope.certificateId} `]) {
        assert.equal(normalizeCertificateId(id), envelope.certificateId);
        const res = await lookup(id);
        assert.equal(res.statusCode, 200, `${id}: ${res.body}`);
      }
      const unknown = await lookup('IK-2222-3333-4444');
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'NOT_FOUND');
      for (const garbage of ['nope', "IK-' OR 1=1 --", 'IK-0000-0000-0000'])
        assert.equal((await lookup(garbage)).statusCode, 404, garbage);
      // Sent but not completed: the ID is already on the paper, the summary is not public yet.
      const draft = await h.createEnvelope(
        h.org,
        { name: '未完了の封筒', recipients: [{ name: 'B', email: 'b@example.jp', accessCode: '1234', order: 1 }] },
        [{ filename: 'x.pdf', data: await makePdf() }],
      );
      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${draft.json().id}/send`)).statusCode, 200);
      assert.equal((await lookup(draft.json().certificateId)).statusCode, 404);
    });

    it(`rate-limits certificate lookups per IP: ${CERTIFICATE_LOOKUP_RATE_LIMIT.max} a minute, then 429`, async () => {
      const ip = '203.0.113.9';
      for (let i = 0; i < CERTIFICATE_LOOKUP_RATE_LIMIT.max; i++)
        assert.equal((await lookup('IK-2222-3333-4444', ip)).statusCode, 404);
      const limited = await lookup(envelope.certificateId, ip);
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'RATE_LIMITED');
    });
  });
}

describe('masking e-mail addresses', () => {
  it('keeps the first character and the domain', () => {
    assert.equal(maskEmail('taro@example.jp'), 't***@example.jp');
    assert.equal(maskEmail('t@example.jp'), 't***@example.jp');
    assert.equal(maskEmail('山田@example.jp'), '山***@example.jp');
    assert.equal(maskEmail('not-an-address'), '***');
  });
});
