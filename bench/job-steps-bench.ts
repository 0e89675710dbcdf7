// Per-step CPU of the job work of one envelope (issue 10), measured in one warm process: the two
// recipient signatures (witness certificate + signPdfParts), the seal of the document, the certificate
// of completion (render, sign, seal) and the register's text extraction. Run:
//   node --import tsx bench/job-steps-bench.ts [--rounds=40]
import { performance } from 'node:perf_hooks';
import {
  createWitnessSigner,
  renderCompletionCertificate,
  sealPdf,
  signPdf,
  signPdfParts,
} from '../packages/core/src/index.ts';
import { makePdf } from '../packages/core/test/helpers/make-pdf.ts';
import { createPkiFixture } from '../packages/core/test/helpers/pki-fixture.ts';
import { sampleCertificateData } from '../packages/core/test/certificate/sample-certificate-data.ts';
import { extractPdfText } from '../packages/server/src/domain/register/extract-pdf-text.ts';

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 40);
const fixture = await createPkiFixture();
const pdf = await makePdf({ pages: 2 });
const totals = new Map<string, number>();

async function step<T>(name: string, body: () => Promise<T> | T, count: boolean): Promise<T> {
  const before = process.cpuUsage();
  const t0 = performance.now();
  const out = await body();
  void t0;
  const used = process.cpuUsage(before);
  if (count) totals.set(name, (totals.get(name) ?? 0) + (used.user + used.system) / 1000);
  return out;
}

for (let round = 0; round < rounds + 5; round++) {
  if (process.env.MARK) console.log(`@@round ${round}`);
  const count = round >= 5;
  let doc = pdf;
  for (const who of [
    { name: '山田 太郎', email: 'taro@example.jp' },
    { name: '佐藤 花子', email: 'hanako@example.jp' },
  ]) {
    const signer = await step('witness certificate', () => createWitnessSigner(fixture.pki, who), count);
    const update = await step(
      'signPdfParts (recipient)',
      () =>
        signPdfParts(doc, {
          signer,
          timestampAuthority: fixture.tsa,
          name: `${who.name} <${who.email}>`,
          reason: 'email + access code',
          location: 'Inkan envelope x',
        }),
      count,
    );
    doc = Buffer.concat([update.original, update.tail]);
  }
  doc = await step('sealPdf (document)', () => sealPdf(doc, fixture.sealOptions), count);
  const data = sampleCertificateData();
  const rendered = await step('renderCompletionCertificate', () => renderCompletionCertificate(data), count);
  const signed = await step(
    'signPdf (certificate)',
    () => signPdf(rendered, { signer: fixture.pki.signingSigner, timestampAuthority: fixture.tsa, name: 'Inkan' }),
    count,
  );
  await step('sealPdf (certificate)', () => sealPdf(signed, fixture.sealOptions), count);
  await step('extractPdfText (register)', () => extractPdfText(doc), count);
}
let sum = 0;
for (const [name, ms] of totals) {
  sum += ms / rounds;
  console.log(`${(ms / rounds).toFixed(2).padStart(8)} ms  ${name}`);
}
console.log(`${sum.toFixed(2).padStart(8)} ms  total per envelope (CPU of this process, all threads)`);
fixture.cleanup();
