// RFC 5280 path validation against NIST PKITS (172 cases we did not write, packages/core/test/fixtures/corpus/pkits).
// Fails when any case the suite calls invalid comes out valid, or when any case of 4.1–4.7 (the CRL
// cases of 4.4 included) does not match. Policy, distribution-point and delta-CRL cases may instead be
// "not supported" (INDETERMINATE). Prints the table that the README shows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseCertificate } from '../../src/x509/certificate.ts';
import { parseCrl } from '../../src/x509/crl.ts';
import { pathAccepted, validatePath } from '../../src/x509/path-validation.ts';
import { corpusPath } from '../helpers/corpus.ts';

interface PkitsCase {
  id: string;
  section: string;
  endEntity: string;
  intermediates: string[];
  crls: string[];
  expected: 'valid' | 'invalid';
  failure: 'path' | 'revoked' | null;
}

const cases = JSON.parse(readFileSync(corpusPath('pkits', 'cases.json'), 'utf8')) as PkitsCase[];
const certificate = (name: string) =>
  parseCertificate(new Uint8Array(readFileSync(corpusPath('pkits', 'certs', name))));
const crl = (name: string) => parseCrl(new Uint8Array(readFileSync(corpusPath('pkits', 'crls', name))));
// Inside every certificate's validity (they run to 2030) and every CRL's, except the ones made stale on purpose.
const VALIDATION_TIME = new Date('2026-06-01T00:00:00Z');
const MUST_MATCH = /^4\.[1-7] /;

type Outcome = 'valid' | 'invalid' | 'revoked' | 'unsupported';

function run(c: PkitsCase): { outcome: Outcome; why: string } {
  const result = validatePath(certificate(c.endEntity), {
    anchors: [certificate('TrustAnchorRootCertificate.crt')],
    pool: c.intermediates.map(certificate),
    time: VALIDATION_TIME,
    revocation: { crls: c.crls.map(crl), ocsp: [] },
  });
  if (pathAccepted(result)) return { outcome: 'valid', why: '' };
  if (result.failure)
    return { outcome: result.failure.kind === 'unsupported' ? 'unsupported' : 'invalid', why: result.failure.message };
  const revoked = result.revocation.find((r) => r.status === 'revoked');
  if (revoked) return { outcome: 'revoked', why: `revoked at ${revoked.revokedAt?.toISOString()}` };
  const unsupported = result.revocation.find((r) => r.status === 'unsupported');
  if (unsupported) return { outcome: 'unsupported', why: unsupported.detail ?? '' };
  return { outcome: 'invalid', why: result.revocation.find((r) => r.status !== 'good')?.detail ?? '' };
}

test('NIST PKITS: 172 cases, table by section', () => {
  assert.equal(cases.length, 172);
  const rows = new Map<string, { cases: number; matched: number; unsupported: number }>();
  const wrong: string[] = [];
  for (const c of cases) {
    const { outcome, why } = run(c);
    const row = rows.get(c.section) ?? { cases: 0, matched: 0, unsupported: 0 };
    rows.set(c.section, row);
    row.cases++;
    const matched = c.expected === 'valid' ? outcome === 'valid' : outcome === 'invalid' || outcome === 'revoked';
    if (matched) row.matched++;
    else if (outcome === 'unsupported') row.unsupported++;
    if (c.expected === 'invalid' && outcome === 'valid') wrong.push(`${c.id}: the suite says invalid, we said valid`);
    else if (MUST_MATCH.test(c.section) && !matched)
      wrong.push(`${c.id}: expected ${c.expected}${c.failure ? ` (${c.failure})` : ''}, got ${outcome}: ${why}`);
  }
  const lines = ['| section | cases | matched | not supported |', '|---|---:|---:|---:|'];
  let total = { cases: 0, matched: 0, unsupported: 0 };
  for (const [section, row] of rows) {
    lines.push(`| ${section} | ${row.cases} | ${row.matched} | ${row.unsupported} |`);
    total = {
      cases: total.cases + row.cases,
      matched: total.matched + row.matched,
      unsupported: total.unsupported + row.unsupported,
    };
  }
  lines.push(`| **total** | ${total.cases} | ${total.matched} | ${total.unsupported} |`);
  console.log(lines.join('\n'));
  assert.deepEqual(wrong, []);
  assert.equal(
    total.matched + total.unsupported,
    total.cases,
    'every case is either matched or reported as not supported',
  );
});
