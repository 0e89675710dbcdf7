// Wrappers around independent validators (poppler, mupdf, openssl, qpdf, NSS certutil) and an
// independent signature extractor. Nothing here imports Inkan's src/: tests use these to judge it.
// The tools exit 0 even when a signature is broken, so every wrapper parses their text output.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PDF given as a path on disk or as bytes (written to a temp file for the tool). */
export type PdfInput = string | Uint8Array;
/** A certificate as PEM text or DER bytes. */
export type CertInput = string | Uint8Array;

/** What a finished tool run left behind. */
export interface ToolRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** Runs a tool; resolves with its exit code and output (non-zero exits are results, not errors). */
export function runTool(command: string, args: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ exitCode: 0, stdout, stderr });
        // A numeric code is the tool's exit status; anything else (ENOENT, killed on timeout) is a real failure.
        if (typeof error.code === 'number' && !error.killed) return resolve({ exitCode: error.code, stdout, stderr });
        const why = error.killed ? `timed out after ${timeoutMs} ms` : String(error.code ?? error.message);
        reject(new Error(`${command} ${args.join(' ')}: ${why}\n${stderr}`, { cause: error }));
      },
    );
  });
}

/** Runs `fn` with a fresh temp dir that is removed afterwards, whatever happens. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-validator-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function pdfPath(dir: string, input: PdfInput, name = 'input.pdf'): string {
  if (typeof input === 'string') return input;
  const path = join(dir, name);
  writeFileSync(path, input);
  return path;
}

/** PEM text for a certificate given as PEM or DER. */
export function toPem(cert: CertInput): string {
  if (typeof cert === 'string') {
    if (!cert.includes('-----BEGIN')) throw new Error('toPem: a string certificate must be PEM text');
    return cert;
  }
  const b64 = Buffer.from(cert)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

function writePem(dir: string, name: string, certs: CertInput | readonly CertInput[]): string {
  const list = Array.isArray(certs) ? certs : [certs as CertInput];
  const path = join(dir, name);
  writeFileSync(path, list.map(toPem).join('\n'));
  return path;
}

// ---------------------------------------------------------------------------------------------
// NSS database (trust store of pdfsig)

/**
 * Creates an NSS database that trusts `root` (a PEM path, PEM text or DER; or several) for pdfsig.
 * Returns its directory; the caller removes it (put it under the test's temp dir via `parentDir`).
 */
export async function createNssDb(
  root: CertInput | readonly CertInput[],
  options: { parentDir?: string } = {},
): Promise<string> {
  const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'inkan-nss-'));
  await mustSucceed('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  const roots = Array.isArray(root) ? root : [root as CertInput];
  for (const [i, cert] of roots.entries()) {
    // A string without a PEM header is a path to a PEM/DER file; certutil reads both encodings.
    const file = typeof cert === 'string' && !cert.includes('-----BEGIN') ? cert : writePem(dir, `root-${i}.pem`, cert);
    await mustSucceed('certutil', [
      '-A',
      '-d',
      `sql:${dir}`,
      '-n',
      i === 0 ? 'root' : `root-${i}`,
      '-t',
      'CT,C,C',
      '-i',
      file,
    ]);
  }
  return dir;
}

async function mustSucceed(command: string, args: string[]): Promise<ToolRun> {
  const run = await runTool(command, args);
  if (run.exitCode !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${run.exitCode}: ${run.stderr}${run.stdout}`);
  return run;
}

// ---------------------------------------------------------------------------------------------
// A test PKI made by openssl (not by Inkan's CA code): root CA -> signer

/** Files and bytes of an openssl-made root CA and signer certificate. */
export interface OpensslPki {
  rootKeyPath: string;
  rootPemPath: string;
  rootPem: string;
  rootDer: Uint8Array;
  leafKeyPath: string;
  leafKeyPem: string;
  leafPemPath: string;
  leafPem: string;
  leafDer: Uint8Array;
  /** leaf key + leaf + root, with SHA1/3DES PBE so node-forge (@signpdf) can read it. */
  p12Path: string;
  p12Password: string;
}

/** Makes a root CA and a signing certificate under it with openssl, in `dir` (RSA-2048 or P-256). */
export async function makeOpensslPki(
  dir: string,
  options: { key?: 'rsa2048' | 'p256'; leafCommonName?: string } = {},
): Promise<OpensslPki> {
  const key = options.key ?? 'rsa2048';
  const newkey =
    key === 'rsa2048' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  const f = (name: string) => join(dir, name);
  await mustSucceed('openssl', [
    'req',
    '-x509',
    ...newkey,
    '-sha256',
    '-nodes',
    '-keyout',
    f('root.key'),
    '-out',
    f('root.pem'),
    '-days',
    '3650',
    '-subj',
    '/C=JP/O=Inkan Test/CN=Inkan Test Root CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await mustSucceed('openssl', [
    'req',
    '-new',
    ...newkey,
    '-nodes',
    '-keyout',
    f('leaf.key'),
    '-out',
    f('leaf.csr'),
    '-subj',
    `/C=JP/O=Inkan Test/CN=${options.leafCommonName ?? 'Inkan Test Signer'}`,
  ]);
  writeFileSync(
    f('leaf.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,nonRepudiation',
      'extendedKeyUsage=emailProtection',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
      '',
    ].join('\n'),
  );
  await mustSucceed('openssl', [
    'x509',
    '-req',
    '-sha256',
    '-in',
    f('leaf.csr'),
    '-CA',
    f('root.pem'),
    '-CAkey',
    f('root.key'),
    '-CAcreateserial',
    '-days',
    '365',
    '-extfile',
    f('leaf.ext'),
    '-out',
    f('leaf.pem'),
  ]);
  await mustSucceed('openssl', [
    'pkcs12',
    '-export',
    '-inkey',
    f('leaf.key'),
    '-in',
    f('leaf.pem'),
    '-certfile',
    f('root.pem'),
    '-out',
    f('leaf.p12'),
    '-passout',
    'pass:inkan-test',
    '-keypbe',
    'PBE-SHA1-3DES',
    '-certpbe',
    'PBE-SHA1-3DES',
    '-macalg',
    'sha1',
  ]);
  const rootPem = readFileSync(f('root.pem'), 'utf8');
  const leafPem = readFileSync(f('leaf.pem'), 'utf8');
  return {
    rootKeyPath: f('root.key'),
    rootPemPath: f('root.pem'),
    rootPem,
    rootDer: pemToDer(rootPem),
    leafKeyPath: f('leaf.key'),
    leafKeyPem: readFileSync(f('leaf.key'), 'utf8'),
    leafPemPath: f('leaf.pem'),
    leafPem,
    leafDer: pemToDer(leafPem),
    p12Path: f('leaf.p12'),
    p12Password: 'inkan-test',
  };
}

/** DER of the first PEM block in `pem`. */
export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/.exec(pem);
  if (m === null) throw new Error('pemToDer: no PEM block');
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

// ---------------------------------------------------------------------------------------------
// pdfsig (poppler)

/** One signature as pdfsig reports it. */
export interface PdfsigSignature {
  /** 1-based, in pdfsig's order ("Signature #N"). */
  index: number;
  fieldName?: string;
  /** The signer certificate's common name; undefined when pdfsig prints it empty. */
  signerName?: string;
  signerDn?: string;
  signingTime?: string;
  hashAlgorithm?: string;
  /** pdfsig's "Signature Type" when it is a SubFilter (adbe.* / ETSI.*). */
  subFilter?: string;
  /** pdfsig's "Signature Type" verbatim ("unknown" for document timestamps). */
  signatureType?: string;
  /** "Signed Ranges: [a - b], [c - d]" as [start, end) pairs. */
  signedRanges: Array<[number, number]>;
  /** e.g. "Signature is Valid.", "Digest Mismatch.", "Signature has not yet been verified." */
  validation: string;
  /** e.g. "Certificate is Trusted.", "Certificate issuer isn't Trusted."; '' when absent. */
  certificate: string;
  /** true only for "Total document signed" (poppler prints it for the last revision only). */
  totalDocumentSigned: boolean;
  /** Every "Key: Value" line of the block. */
  fields: Record<string, string>;
  raw: string;
}

/** pdfsig's verdict on a file. */
export interface PdfsigResult {
  exitCode: number;
  signatures: PdfsigSignature[];
  raw: string;
  stderr: string;
}

/**
 * Runs `pdfsig [-nssdir sql:DIR] [-no-ocsp] FILE` and parses its per-signature report.
 * Poppler 22.12 quirk (measured): with -no-ocsp (the default here, `ocsp: false`) a chain that IS
 * trusted comes out as "Unknown issue with Certificate or corrupted data." (it reads a stale NSS
 * error after a successful check); an untrusted one is still "Certificate issuer isn't Trusted.".
 * To see "Certificate is Trusted." pass `ocsp: true` — safe when the certificate has no OCSP URL
 * or its responder is running locally (pdfsig would otherwise ask the URL live).
 */
export async function pdfsig(file: PdfInput, options: { nssDir?: string; ocsp?: boolean } = {}): Promise<PdfsigResult> {
  return withTempDir(async (dir) => {
    const args: string[] = [];
    if (options.nssDir !== undefined)
      args.push('-nssdir', options.nssDir.startsWith('sql:') ? options.nssDir : `sql:${options.nssDir}`);
    if (options.ocsp !== true) args.push('-no-ocsp');
    args.push(pdfPath(dir, file));
    const run = await runTool('pdfsig', args);
    return { exitCode: run.exitCode, signatures: parsePdfsig(run.stdout), raw: run.stdout, stderr: run.stderr };
  });
}

/** Parses pdfsig's stdout (exported for tests of the parser itself). */
export function parsePdfsig(stdout: string): PdfsigSignature[] {
  const blocks = stdout.split(/^(?=Signature #\d+:\s*$)/m).filter((b) => /^Signature #\d+:/.test(b));
  return blocks.map((block) => {
    const index = Number(/^Signature #(\d+):/.exec(block)![1]);
    const fields: Record<string, string> = {};
    let totalDocumentSigned = false;
    for (const line of block.split('\n')) {
      const m = /^\s+- (.*)$/.exec(line);
      if (m === null) continue;
      const item = m[1].trimEnd();
      if (item === 'Total document signed') totalDocumentSigned = true;
      const sep = item.indexOf(': ');
      if (sep >= 0) fields[item.slice(0, sep)] = item.slice(sep + 2);
      else if (item.endsWith(':')) fields[item.slice(0, -1)] = '';
    }
    const type = fields['Signature Type'];
    const ranges = [...(fields['Signed Ranges'] ?? '').matchAll(/\[(\d+) - (\d+)\]/g)].map(
      (r) => [Number(r[1]), Number(r[2])] as [number, number],
    );
    return {
      index,
      fieldName: fields['Signature Field Name'],
      signerName: fields['Signer Certificate Common Name'] || undefined,
      signerDn: fields['Signer full Distinguished Name'],
      signingTime: fields['Signing Time'],
      hashAlgorithm: fields['Signing Hash Algorithm'],
      subFilter: type !== undefined && /^(adbe|ETSI)\./.test(type) ? type : undefined,
      signatureType: type,
      signedRanges: ranges,
      validation: fields['Signature Validation'] ?? '',
      certificate: fields['Certificate Validation'] ?? '',
      totalDocumentSigned,
      fields,
      raw: block,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// mutool sign -v (mupdf)

/** One signature as `mutool sign -v` reports it. */
export interface MutoolSignature {
  /** 1-based, in mutool's order. */
  index: number;
  /** The signature field's object number ("Verifying signature N"). */
  objectNumber: number;
  /** 'unchanged' | 'edited' | 'invalid', or mutool's own words for anything else. */
  message: 'unchanged' | 'edited' | 'invalid' | string;
  distinguishedName?: string;
  certificateError?: string;
  lines: string[];
  raw: string;
}

/** mutool's verdict on a file. */
export interface MutoolResult {
  exitCode: number;
  signatures: MutoolSignature[];
  raw: string;
  stderr: string;
}

/** Runs `mutool sign -v FILE` (no trust anchor possible: certificate errors are informative only). */
export async function mutoolVerify(file: PdfInput): Promise<MutoolResult> {
  return withTempDir(async (dir) => {
    const run = await runTool('mutool', ['sign', '-v', pdfPath(dir, file)]);
    return { exitCode: run.exitCode, signatures: parseMutool(run.stdout), raw: run.stdout, stderr: run.stderr };
  });
}

/** Parses `mutool sign -v` stdout. */
export function parseMutool(stdout: string): MutoolSignature[] {
  const blocks = stdout.split(/^(?=Verifying signature \d+:)/m).filter((b) => /^Verifying signature \d+:/.test(b));
  return blocks.map((block, i) => {
    const objectNumber = Number(/^Verifying signature (\d+):/.exec(block)![1]);
    const lines = block
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
    let distinguishedName: string | undefined;
    let certificateError: string | undefined;
    const rest: string[] = [];
    for (const line of lines) {
      if (line.startsWith('Distinguished name: ')) distinguishedName = line.slice('Distinguished name: '.length);
      else if (line.startsWith('Certificate error: ')) certificateError = line.slice('Certificate error: '.length);
      else rest.push(line);
    }
    const text = rest.join('\n');
    let message: string;
    if (text.includes('The document is unchanged since signing.')) message = 'unchanged';
    else if (text.includes('The signature is valid but there have been edits since signing.')) message = 'edited';
    else if (text.includes('Signature invalidated by change to document.')) message = 'invalid';
    else message = rest.join('; ');
    return { index: i + 1, objectNumber, message, distinguishedName, certificateError, lines, raw: block };
  });
}

// ---------------------------------------------------------------------------------------------
// Independent signature extraction (byte scanning; no PDF parser)

/** A signature dictionary found by scanning the file's bytes. */
export interface ExtractedSignature {
  /** The ByteRange numbers as written (normally 4). */
  byteRange: number[];
  /** The CMS bytes: the hex string decoded, trailing padding cut where the DER length says it ends. */
  contents: Uint8Array;
  /** false when the hex does not start with one complete BER/DER SEQUENCE (then `contents` is untrimmed). */
  derComplete: boolean;
  /** true when everything after the DER element was zero bytes (the usual placeholder padding). */
  paddingIsZero: boolean;
  /** Offset of the '<' that opens /Contents, and one past its closing '>'. */
  contentsStart: number;
  contentsEnd: number;
  /** ByteRange is [0, contentsStart, contentsEnd, n]: the gap is exactly the /Contents hex string. */
  gapMatchesContents: boolean;
  /** Every range lies inside the file. */
  rangesWithinFile: boolean;
  /** The last range ends at the end of the file. */
  coversToEndOfFile: boolean;
  /** The ranged bytes concatenated: what the signature's message digest covers. */
  signedBytes: Uint8Array;
  subFilter?: string;
  /** /Type of the dictionary: 'Sig' or 'DocTimeStamp' when present. */
  type?: string;
  /** Offset of the /ByteRange key. */
  offset: number;
}

/**
 * Finds every /ByteRange [..] in the file and the /Contents <hex> of the same object, in file order.
 * Independent of Inkan's parser on purpose: it scans bytes, so it also sees what a parser would skip.
 */
export function extractSignatures(pdf: Uint8Array): ExtractedSignature[] {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const found: ExtractedSignature[] = [];
  for (const m of text.matchAll(/\/ByteRange\s*\[([^\]]*)\]/g)) {
    const offset = m.index!;
    const byteRange = m[1]
      .trim()
      .split(/\s+/)
      .filter((s) => s.length > 0)
      .map(Number);
    const { start, end } = objectBounds(text, offset);
    const region = text.slice(start, end);
    const contents = nearestContents(region, offset - start);
    if (contents === null) continue; // a ByteRange without a hex /Contents is not a signature value
    const contentsStart = start + contents.at;
    const contentsEnd = contentsStart + contents.length;
    const decoded = Buffer.from(contents.hex.replace(/\s+/g, ''), 'hex');
    // CMS ContentInfo is a SEQUENCE: anything else (e.g. an all-zero placeholder) is not a signature value.
    const berEnd = decoded[0] === 0x30 ? elementEnd(decoded, 0) : null;
    const derComplete = berEnd !== null;
    const trimmed = berEnd === null ? decoded : decoded.subarray(0, berEnd);
    const paddingIsZero = berEnd !== null && decoded.subarray(berEnd).every((b) => b === 0);
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i + 1 < byteRange.length; i += 2) pairs.push([byteRange[i], byteRange[i + 1]]);
    const rangesWithinFile =
      byteRange.length % 2 === 0 && pairs.every(([o, l]) => o >= 0 && l >= 0 && o + l <= pdf.length);
    const last = pairs[pairs.length - 1];
    found.push({
      byteRange,
      contents: new Uint8Array(trimmed),
      derComplete,
      paddingIsZero,
      contentsStart,
      contentsEnd,
      gapMatchesContents:
        byteRange.length === 4 && byteRange[0] === 0 && byteRange[1] === contentsStart && byteRange[2] === contentsEnd,
      rangesWithinFile,
      coversToEndOfFile: last !== undefined && last[0] + last[1] === pdf.length,
      signedBytes: concat(
        pairs.map(([o, l]) => pdf.subarray(Math.max(0, o), Math.max(0, Math.min(pdf.length, o + l)))),
      ),
      subFilter: /\/SubFilter\s*\/([^\s/<>[\]()]+)/.exec(region)?.[1],
      type: /\/Type\s*\/(Sig|DocTimeStamp)(?![A-Za-z])/.exec(region)?.[1],
      offset,
    });
  }
  return found;
}

// The indirect object around `pos`: from its "obj" keyword to its "endobj" (hex strings cannot contain either
// word, and signature dictionaries carry no stream). A preceding "endobj" means `pos` is outside any object.
function objectBounds(text: string, pos: number): { start: number; end: number } {
  const obj = text.lastIndexOf('obj', pos);
  const start = obj < 0 ? 0 : text.startsWith('end', obj - 3) ? obj + 3 : obj;
  const endobj = text.indexOf('endobj', pos);
  return { start, end: endobj < 0 ? text.length : endobj };
}

function nearestContents(region: string, anchor: number): { at: number; length: number; hex: string } | null {
  let best: { at: number; length: number; hex: string } | null = null;
  for (const m of region.matchAll(/\/Contents\s*(<[0-9A-Fa-f\s]*>)/g)) {
    const at = m.index! + m[0].length - m[1].length;
    if (best === null || Math.abs(at - anchor) < Math.abs(best.at - anchor))
      best = { at, length: m[1].length, hex: m[1].slice(1, -1) };
  }
  return best;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// A minimal BER/DER reader (enough to trim padding and to find CMS fields without src/ code)

interface Tlv {
  tagClass: number; // 0 universal, 1 application, 2 context, 3 private
  constructed: boolean;
  tagNumber: number;
  /** Offset of the identifier octet. */
  start: number;
  valueStart: number;
  /** End of the contents (before the end-of-contents octets for indefinite length). */
  valueEnd: number;
  /** End of the whole element. */
  end: number;
}

function readTlv(buf: Uint8Array, pos: number, depth = 0): Tlv | null {
  if (depth > 64 || pos >= buf.length) return null;
  const first = buf[pos];
  let p = pos + 1;
  let tagNumber = first & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (;;) {
      if (p >= buf.length) return null;
      const b = buf[p++];
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (p >= buf.length) return null;
  const lenByte = buf[p++];
  const constructed = (first & 0x20) !== 0;
  if (lenByte === 0x80) {
    // Indefinite length (BER): children until the 00 00 end-of-contents marker.
    if (!constructed) return null;
    let q = p;
    for (;;) {
      if (q + 1 >= buf.length) return null;
      if (buf[q] === 0 && buf[q + 1] === 0)
        return { tagClass: first >> 6, constructed, tagNumber, start: pos, valueStart: p, valueEnd: q, end: q + 2 };
      const child = readTlv(buf, q, depth + 1);
      if (child === null) return null;
      q = child.end;
    }
  }
  let length = lenByte;
  if (lenByte & 0x80) {
    const n = lenByte & 0x7f;
    if (n > 6 || p + n > buf.length) return null;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++];
  }
  if (p + length > buf.length) return null;
  return {
    tagClass: first >> 6,
    constructed,
    tagNumber,
    start: pos,
    valueStart: p,
    valueEnd: p + length,
    end: p + length,
  };
}

function elementEnd(buf: Uint8Array, pos: number): number | null {
  const tlv = readTlv(buf, pos);
  return tlv === null ? null : tlv.end;
}

function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.valueStart;
  while (p < parent.valueEnd) {
    const child = readTlv(buf, p);
    if (child === null) throw new Error(`malformed BER at offset ${p}`);
    out.push(child);
    p = child.end;
  }
  return out;
}

const OID_SIGNATURE_TIMESTAMP_TOKEN = Uint8Array.from([
  0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0e,
]); // 1.2.840.113549.1.9.16.2.14

/** The first SignerInfo's signature value and its id-aa-signatureTimeStampToken (if any), read from CMS DER. */
export function extractSignatureTimestampToken(cmsDer: Uint8Array): {
  signatureValue: Uint8Array;
  tokenDer: Uint8Array | null;
  signatureValueSha256Hex: string;
} {
  const contentInfo = readTlv(cmsDer, 0);
  if (contentInfo === null) throw new Error('CMS: not a BER element');
  const explicit = children(cmsDer, contentInfo)[1]; // [0] EXPLICIT content
  if (explicit === undefined) throw new Error('CMS: ContentInfo has no content');
  const signedData = children(cmsDer, explicit)[0];
  const signerInfos = children(cmsDer, signedData).at(-1); // the last field of SignedData is signerInfos (a SET)
  if (signerInfos === undefined || signerInfos.tagNumber !== 17) throw new Error('CMS: no signerInfos');
  const signerInfo = children(cmsDer, signerInfos)[0];
  if (signerInfo === undefined) throw new Error('CMS: signerInfos is empty');
  const fields = children(cmsDer, signerInfo);
  const signature = fields.find((f) => f.tagClass === 0 && f.tagNumber === 4);
  if (signature === undefined) throw new Error('CMS: SignerInfo has no signature value');
  const signatureValue = octets(cmsDer, signature);
  let tokenDer: Uint8Array | null = null;
  const unsigned = fields.find((f) => f.tagClass === 2 && f.tagNumber === 1);
  if (unsigned !== undefined) {
    for (const attribute of children(cmsDer, unsigned)) {
      const [type, values] = children(cmsDer, attribute);
      const oid = cmsDer.subarray(type.valueStart, type.valueEnd);
      if (Buffer.compare(oid, OID_SIGNATURE_TIMESTAMP_TOKEN) !== 0) continue;
      const token = children(cmsDer, values)[0];
      tokenDer = cmsDer.slice(token.start, token.end);
      break;
    }
  }
  return {
    signatureValue,
    tokenDer,
    signatureValueSha256Hex: createHash('sha256').update(signatureValue).digest('hex'),
  };
}

function octets(buf: Uint8Array, tlv: Tlv): Uint8Array {
  if (!tlv.constructed) return buf.slice(tlv.valueStart, tlv.valueEnd);
  return concat(children(buf, tlv).map((c) => octets(buf, c))); // BER constructed OCTET STRING
}

// ---------------------------------------------------------------------------------------------
// openssl

/** Verdict of an openssl verification. */
export interface OpensslResult {
  ok: boolean;
  exitCode: number;
  output: string;
}

/**
 * `openssl cms -verify -binary -inform DER -content signed.bin -CAfile root.pem -purpose any`.
 * Without `rootPem` the chain is not checked (-noverify): only the signature over the content.
 */
export async function opensslCmsVerify(input: {
  cmsDer: Uint8Array;
  content: Uint8Array;
  rootPem?: CertInput | readonly CertInput[];
  untrustedPem?: CertInput | readonly CertInput[];
  /** Check the chain as of this time (e.g. for old corpus files). */
  atTime?: Date;
}): Promise<OpensslResult> {
  return withTempDir(async (dir) => {
    const sig = join(dir, 'sig.der');
    const content = join(dir, 'signed.bin');
    writeFileSync(sig, input.cmsDer);
    writeFileSync(content, input.content);
    // -out keeps the (possibly huge) detached content off stdout.
    const args = [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      sig,
      '-content',
      content,
      '-purpose',
      'any',
      '-out',
      join(dir, 'out.bin'),
    ];
    if (input.rootPem === undefined) args.push('-noverify');
    else args.push('-CAfile', writePem(dir, 'root.pem', input.rootPem));
    if (input.untrustedPem !== undefined) args.push('-certfile', writePem(dir, 'untrusted.pem', input.untrustedPem));
    if (input.atTime !== undefined) args.push('-attime', String(Math.floor(input.atTime.getTime() / 1000)));
    const run = await runTool('openssl', args);
    const output = run.stdout + run.stderr;
    return { ok: run.exitCode === 0 && output.includes('Verification successful'), exitCode: run.exitCode, output };
  });
}

/** `openssl ts -verify -digest HEX -in token.der -token_in -CAfile root.pem [-untrusted chain.pem]`. */
export async function opensslTsVerify(input: {
  tokenDer: Uint8Array;
  digestHex: string;
  rootPem: CertInput | readonly CertInput[];
  untrustedPem?: CertInput | readonly CertInput[];
  atTime?: Date;
}): Promise<OpensslResult> {
  return withTempDir(async (dir) => {
    const token = join(dir, 'token.der');
    writeFileSync(token, input.tokenDer);
    const args = [
      'ts',
      '-verify',
      '-digest',
      input.digestHex,
      '-in',
      token,
      '-token_in',
      '-CAfile',
      writePem(dir, 'root.pem', input.rootPem),
    ];
    if (input.untrustedPem !== undefined) args.push('-untrusted', writePem(dir, 'untrusted.pem', input.untrustedPem));
    if (input.atTime !== undefined) args.push('-attime', String(Math.floor(input.atTime.getTime() / 1000)));
    const run = await runTool('openssl', args);
    const output = run.stdout + run.stderr;
    return { ok: run.exitCode === 0 && /Verification: OK/.test(output), exitCode: run.exitCode, output };
  });
}

/** The TSTInfo of a TimeStampToken as `openssl ts -reply -token_in -text` prints it (message imprint, time, serial). */
export async function opensslTsText(tokenDer: Uint8Array): Promise<string> {
  return withTempDir(async (dir) => {
    const token = join(dir, 'token.der');
    writeFileSync(token, tokenDer);
    const run = await mustSucceed('openssl', ['ts', '-reply', '-in', token, '-token_in', '-token_out', '-text']);
    return run.stdout;
  });
}

/** The message imprint digest (lowercase hex) of a TimeStampToken, read by openssl. */
export async function timestampImprintHex(tokenDer: Uint8Array): Promise<string> {
  const text = await opensslTsText(tokenDer);
  const m = /Message data:\n([\s\S]*?)\n(?=\S)/.exec(text);
  if (m === null) throw new Error(`no message imprint in:\n${text}`);
  // Lines look like "    0000 - 3a 1f 9c ...   ascii"; keep the hex byte columns only.
  return m[1]
    .split('\n')
    .map((line) => /^\s*[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){0,16})/.exec(line)?.[1] ?? '')
    .join('')
    .replace(/[ -]/g, '');
}

// ---------------------------------------------------------------------------------------------
// qpdf and poppler text tools

/** `qpdf --check FILE`: ok only for exit 0 (3 = warnings, reported as not ok). */
export async function qpdfCheck(
  file: PdfInput,
  options: { password?: string } = {},
): Promise<{ ok: boolean; exitCode: number; output: string }> {
  return withTempDir(async (dir) => {
    const args = ['--check'];
    if (options.password !== undefined) args.push(`--password=${options.password}`);
    args.push(pdfPath(dir, file));
    const run = await runTool('qpdf', args);
    return { ok: run.exitCode === 0, exitCode: run.exitCode, output: run.stdout + run.stderr };
  });
}

/** `pdfinfo` fields; `pages`/`encrypted` are undefined when pdfinfo could not say. */
export async function pdfInfo(
  file: PdfInput,
  options: { password?: string } = {},
): Promise<{ exitCode: number; pages?: number; encrypted?: boolean; fields: Record<string, string>; raw: string }> {
  return withTempDir(async (dir) => {
    const args = options.password === undefined ? [] : ['-upw', options.password];
    const run = await runTool('pdfinfo', [...args, pdfPath(dir, file)]);
    const fields: Record<string, string> = {};
    for (const line of run.stdout.split('\n')) {
      const m = /^([^:]+):\s+(.*)$/.exec(line);
      if (m !== null) fields[m[1]] = m[2];
    }
    return {
      exitCode: run.exitCode,
      pages: fields.Pages === undefined ? undefined : Number(fields.Pages),
      encrypted: fields.Encrypted === undefined ? undefined : fields.Encrypted.startsWith('yes'),
      fields,
      raw: run.stdout + run.stderr,
    };
  });
}

/** A word and its box as `pdftotext -bbox` prints it (PDF points, origin top-left). */
export interface BboxWord {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** Words of one page with their boxes, and the page size, from `pdftotext -bbox`. */
export async function pdftotextBbox(
  file: PdfInput,
  page = 1,
): Promise<{ width: number; height: number; words: BboxWord[] }> {
  return withTempDir(async (dir) => {
    const run = await mustSucceed('pdftotext', [
      '-bbox',
      '-f',
      String(page),
      '-l',
      String(page),
      pdfPath(dir, file),
      '-',
    ]);
    const size = /<page width="([\d.]+)" height="([\d.]+)">/.exec(run.stdout);
    if (size === null) throw new Error(`pdftotext -bbox printed no page ${page}`);
    const words = [
      ...run.stdout.matchAll(
        /<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g,
      ),
    ].map((m) => ({
      text: decodeEntities(m[5]),
      xMin: Number(m[1]),
      yMin: Number(m[2]),
      xMax: Number(m[3]),
      yMax: Number(m[4]),
    }));
    return { width: Number(size[1]), height: Number(size[2]), words };
  });
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_m, e: string) => {
    if (e[0] === '#')
      return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e.toLowerCase()];
  });
}

/** The text of the file (UTF-8) from `pdftotext`. */
export async function pdfText(file: PdfInput, options: { page?: number } = {}): Promise<string> {
  return withTempDir(async (dir) => {
    const range = options.page === undefined ? [] : ['-f', String(options.page), '-l', String(options.page)];
    const run = await mustSucceed('pdftotext', ['-enc', 'UTF-8', ...range, pdfPath(dir, file), '-']);
    return run.stdout;
  });
}
