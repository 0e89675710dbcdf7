// Child process of the resource-limit tests: verifies one PDF file and prints, as one JSON line, how
// it ended (report or error code and details) and how much the process's peak RSS grew meanwhile.
// A process of its own, so that the peak belongs to this one verification.
import { readFileSync } from 'node:fs';
import { verifyPdf } from '../../src/verify/verify-pdf.ts';
import { isCoreError } from '../../src/errors.ts';

const bytes = new Uint8Array(readFileSync(process.argv[2]));
const limits = process.argv[3] ? JSON.parse(process.argv[3]) : undefined;
const rssBefore = process.memoryUsage().rss;
let outcome: Record<string, unknown>;
try {
  const report = await verifyPdf(bytes, { limits });
  outcome = { exitCode: report.exitCode, problems: report.problems };
} catch (error) {
  outcome = isCoreError(error)
    ? { code: error.code, message: error.message, details: error.details }
    : { unexpected: String(error) };
}
const peakRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify({ ...outcome, rssGrowth: peakRss - rssBefore })}\n`);
