import { createPublicKey, randomBytes, sign as cryptoSign, X509Certificate, type KeyObject } from 'node:crypto';
import type { Stats } from 'node:fs';
import { appendFile, mkdir, open, readFile, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { bytesEqual } from '../asn1/bytes.ts';
import { wholeSeconds } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';
import { CoreError } from '../errors.ts';
import type { RevocationProvider } from '../revocation.ts';
import type { KeyAlgorithm, Signer } from '../signer.ts';
import { encodeName, signCertificate, subjectAltNameEmailExtension, type TbsSigner } from './certificate-builder.ts';
import { createCrl, isCrlReasonCode, type RevokedEntry } from './crl.ts';
import {
  generatePrivateKey,
  MASTER_KEY_FILE,
  readEncryptedPrivateKey,
  resolveMasterKey,
  writeEncryptedPrivateKey,
  writePrivateFile,
  type PkiKeyAlgorithm,
} from './key-storage.ts';
import { createOcspRequest } from './ocsp-messages.ts';
import { PUBLISHED_CRL_FILES, readPublishedCrls, type CaRole } from './published-crl.ts';
import { createOcspResponder, type OcspCertStatus, type OcspResponder } from './ocsp-responder.ts';
import {
  addYears,
  endEntityExtensions,
  issuingCaExtensions,
  pkiUrls,
  rootCaExtensions,
  type EndEntityKind,
  type PkiUrls,
} from './profiles.ts';
import { fromPem, normaliseSerialHex, randomSerial, readCertificate, toPem } from './x509-util.ts';

/** Key algorithm of the CA keys: always RSA-3072, whatever the end-entity algorithm (widest validator support). */
export const CA_KEY_ALGORITHM = 'RSA-3072' as const;

const MANIFEST_FILE = 'pki.json';
const ISSUED_FILE = 'issued.json';
/**
 * Certificates issued after `init` (each signer's witness certificate): one JSON record per line, only
 * ever appended. Several threads and processes issue at once (job worker threads, worker processes);
 * a read-modify-write of one JSON array lost records (seen: a signer's certificate unknown to the OCSP
 * responder at sealing time), whereas O_APPEND writes of one short line each do not interleave.
 */
const ISSUED_LOG_FILE = 'issued.jsonl';
const REVOKED_FILE = 'revoked.json';
const CRL_VALIDITY_MS = 7 * 24 * 3600 * 1000;
/** How long a signed OCSP response or CRL is handed out again for sealing (see BuiltinPki.#reused). */
const REVOCATION_REUSE_MS = 5 * 60 * 1000;
const REUSED_ANSWERS = 32;
/** Certificates start an hour in the past so that a client whose clock is slightly behind still accepts them. */
const BACKDATE_MS = 3600 * 1000;

type CertificateRole = 'root' | 'issuing' | 'signing' | 'tsa' | 'ocsp';
const ROLES: readonly CertificateRole[] = ['root', 'issuing', 'signing', 'tsa', 'ocsp'];
const CA_ROLES: readonly CaRole[] = ['root', 'issuing'];

const fileName = z.string().regex(/^[A-Za-z0-9._-]+$/);
const manifestSchema = z.object({
  format: z.literal('inkan-pki/1'),
  createdAt: z.string(),
  publicUrl: z.string(),
  organisationName: z.string(),
  installationId: z.string(),
  signingKeyAlgorithm: z.enum(['RSA-2048', 'RSA-3072', 'ECDSA-P256']),
  caKeyAlgorithm: z.literal(CA_KEY_ALGORITHM),
  masterKeyFile: fileName.nullable(),
  files: z.object({
    root: z.object({ certificate: fileName, key: fileName }),
    issuing: z.object({ certificate: fileName, key: fileName }),
    signing: z.object({ certificate: fileName, key: fileName }),
    tsa: z.object({ certificate: fileName, key: fileName }),
    ocsp: z.object({ certificate: fileName, key: fileName }),
    issued: fileName,
    revoked: fileName,
  }),
});
/** The pki.json manifest (no secrets). */
export type PkiManifest = z.infer<typeof manifestSchema>;

const issuedRecordSchema = z.object({
  serialHex: z.string(),
  issuer: z.enum(['root', 'issuing']),
  subject: z.string(),
  profile: z.enum(['ca', 'signing', 'tsa', 'ocsp']),
  notAfter: z.string(),
});
const issuedSchema = z.array(issuedRecordSchema);
type IssuedRecord = z.infer<typeof issuedRecordSchema>;

const revokedSchema = z.array(
  z.object({
    serialHex: z.string(),
    issuer: z.enum(['root', 'issuing']),
    revokedAt: z.string(),
    reason: z.number().int().optional(),
  }),
);
type RevokedRecord = z.infer<typeof revokedSchema>[number];

/** A CA's CRL listing `revoked`, valid CRL_VALIDITY_MS from `thisUpdate` (at init, and BuiltinPki.crl). */
function signCrl(
  issuerCertificate: Uint8Array,
  issuerSigner: Parameters<typeof createCrl>[0]['issuerSigner'],
  revoked: RevokedEntry[],
  thisUpdate: Date,
  crlNumber: number,
): Promise<Uint8Array> {
  const nextUpdate = new Date(thisUpdate.getTime() + CRL_VALIDITY_MS);
  return createCrl({ issuerCertificate, issuerSigner, revoked, thisUpdate, nextUpdate, crlNumber });
}

/** Options of initBuiltinPki. */
export interface InitBuiltinPkiOptions {
  dir: string;
  /** Base URL where the PKI files and OCSP are served, e.g. https://sign.example.com (no trailing slash needed). */
  publicUrl: string;
  /** Master secret (≥ 32 bytes). Without it, `<dir>/master.key` is created (or reused) with mode 0600. */
  masterKey?: Uint8Array;
  signingKeyAlgorithm?: PkiKeyAlgorithm;
  organisationName?: string;
  now?: Date;
}

/** Options of loadBuiltinPki. */
export interface LoadBuiltinPkiOptions {
  dir: string;
  masterKey?: Uint8Array;
  /** Clock for OCSP responses and CRLs. */
  now?: () => Date;
  /**
   * 'all' (default): every key is decrypted and checked against its certificate now, so a wrong master
   * key fails here. 'when-used': each key on its first signature, where that error then shows (for a
   * caller that needs only a few, e.g. `inkan verify` asking for an OCSP answer and a CRL).
   */
  openKeys?: 'all' | 'when-used';
}

function normalisePublicUrl(publicUrl: string): string {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch (cause) {
    throw new CoreError('PKI_INVALID', `publicUrl is not a URL: ${publicUrl}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CoreError('PKI_INVALID', 'publicUrl must be http(s)');
  if (url.search !== '' || url.hash !== '')
    throw new CoreError('PKI_INVALID', 'publicUrl must not have a query or fragment');
  return url.toString().replace(/\/+$/, '');
}

function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  return key.asymmetricKeyType === 'rsa' ? 'RSA' : 'ECDSA-P256';
}

/** A TbsSigner over an in-memory key (used for CA keys, which sign certificates and CRLs). */
function keySigner(key: KeyObject): TbsSigner {
  return {
    keyAlgorithm: keyAlgorithmOf(key),
    sign: async (data) => new Uint8Array(cryptoSign('sha256', data, { key, dsaEncoding: 'der' })),
  };
}

/**
 * A Signer whose key is asked for at each signature (opened on the first one); its algorithm is read
 * from its certificate, the first of the chain, which the key is checked to match when it opens.
 */
function openingSigner(key: () => Promise<KeyObject>, certificateChain: readonly Uint8Array[]): Signer {
  const spki = readCertificate(certificateChain[0]!).spki;
  return {
    keyAlgorithm: keyAlgorithmOf(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })),
    certificateChain,
    sign: async (data) => new Uint8Array(cryptoSign('sha256', data, { key: await key(), dsaEncoding: 'der' })),
  };
}

function spkiOf(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'public' ? key : createPublicKey(key);
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writePrivateFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

const SUBJECTS: Record<CertificateRole, string> = {
  root: 'Inkan Root CA',
  issuing: 'Inkan Issuing CA',
  signing: 'Inkan Signing Service',
  tsa: 'Inkan Timestamp Authority',
  ocsp: 'Inkan OCSP Responder',
};

/**
 * Creates the built-in PKI under `dir` (root CA, issuing CA, signing, TSA and OCSP responder
 * certificates, encrypted keys, pki.json). Idempotent: when pki.json already exists nothing is
 * touched and `created` is false. Not safe against two processes initialising the same directory at once.
 */
export async function initBuiltinPki(options: InitBuiltinPkiOptions): Promise<{ created: boolean }> {
  const dir = options.dir;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (await exists(join(dir, MANIFEST_FILE))) return { created: false };
  const publicUrl = normalisePublicUrl(options.publicUrl);
  const organisationName = options.organisationName ?? 'Inkan';
  const signingKeyAlgorithm = options.signingKeyAlgorithm ?? 'RSA-2048';
  const urls = pkiUrls(publicUrl);
  const { masterKey, stored } = await resolveMasterKey(dir, options.masterKey, true);
  const installationId = randomBytes(4).toString('hex');

  const [rootKey, issuingKey, signingKey, tsaKey, ocspKey] = await Promise.all([
    generatePrivateKey(CA_KEY_ALGORITHM),
    generatePrivateKey(CA_KEY_ALGORITHM),
    generatePrivateKey(signingKeyAlgorithm),
    generatePrivateKey(signingKeyAlgorithm),
    generatePrivateKey(signingKeyAlgorithm),
  ]);
  const now = wholeSeconds(options.now ?? new Date());
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  // The CA names carry the installation id so that two Inkan roots trusted side by side never share a subject.
  const name = (role: CertificateRole): Uint8Array => {
    const cn = role === 'root' || role === 'issuing' ? `${SUBJECTS[role]} ${installationId}` : SUBJECTS[role];
    return encodeName([
      [OID.organizationName, organisationName],
      [OID.commonName, cn],
    ]);
  };

  const rootSpki = spkiOf(rootKey);
  const issuingSpki = spkiOf(issuingKey);
  const rootName = name('root');
  const issuingName = name('issuing');
  const root = await signCertificate(
    {
      serialNumber: randomSerial(),
      issuerName: rootName,
      subjectName: rootName,
      notBefore,
      notAfter: addYears(now, 20),
      spki: rootSpki,
      extensions: rootCaExtensions(rootSpki),
    },
    keySigner(rootKey),
  );
  const issuing = await signCertificate(
    {
      serialNumber: randomSerial(),
      issuerName: rootName,
      subjectName: issuingName,
      notBefore,
      notAfter: addYears(now, 10),
      spki: issuingSpki,
      extensions: issuingCaExtensions(issuingSpki, rootSpki, urls),
    },
    keySigner(rootKey),
  );
  const endEntity = (kind: EndEntityKind, key: KeyObject): Promise<Uint8Array> => {
    const spki = spkiOf(key);
    return signCertificate(
      {
        serialNumber: randomSerial(),
        issuerName: issuingName,
        subjectName: name(kind),
        notBefore,
        notAfter: addYears(now, 5),
        spki,
        extensions: endEntityExtensions(kind, spki, issuingSpki, urls),
      },
      keySigner(issuingKey),
    );
  };
  const certificates: Record<CertificateRole, Uint8Array> = {
    root,
    issuing,
    signing: await endEntity('signing', signingKey),
    tsa: await endEntity('tsa', tsaKey),
    ocsp: await endEntity('ocsp', ocspKey),
  };
  const keys: Record<CertificateRole, KeyObject> = {
    root: rootKey,
    issuing: issuingKey,
    signing: signingKey,
    tsa: tsaKey,
    ocsp: ocspKey,
  };

  const files = Object.fromEntries(
    ROLES.map((role) => [role, { certificate: `${role}.pem`, key: `${role}.key.pem` }]),
  ) as Record<CertificateRole, { certificate: string; key: string }>;
  for (const role of ROLES) {
    await writeEncryptedPrivateKey(join(dir, files[role].key), keys[role], masterKey);
    await writeFile(join(dir, files[role].certificate), toPem(certificates[role], 'CERTIFICATE'), { mode: 0o644 });
  }
  const issued: IssuedRecord[] = (['issuing', 'signing', 'tsa', 'ocsp'] as const).map((role) => {
    const info = readCertificate(certificates[role]);
    return {
      serialHex: info.serialHex,
      issuer: role === 'issuing' ? 'root' : 'issuing',
      subject: info.subjectText,
      profile: role === 'issuing' ? 'ca' : role,
      notAfter: info.notAfter.toISOString(),
    };
  });
  await writeJson(join(dir, ISSUED_FILE), issued);
  await writeJson(join(dir, REVOKED_FILE), []);
  // The CAs' first CRLs, published so that `inkan verify` needs no key (published-crl.ts).
  for (const role of CA_ROLES) {
    const crl = await signCrl(certificates[role], keySigner(keys[role]), [], now, Date.now());
    await writePrivateFile(join(dir, PUBLISHED_CRL_FILES[role]), crl);
  }
  const manifest: PkiManifest = {
    format: 'inkan-pki/1',
    createdAt: now.toISOString(),
    publicUrl,
    organisationName,
    installationId,
    signingKeyAlgorithm,
    caKeyAlgorithm: CA_KEY_ALGORITHM,
    masterKeyFile: stored ? MASTER_KEY_FILE : null,
    files: { ...files, issued: ISSUED_FILE, revoked: REVOKED_FILE },
  };
  // The manifest is written last: its presence is what marks the PKI as complete.
  await writeJson(join(dir, MANIFEST_FILE), manifest);
  return { created: true };
}

async function readManifest(dir: string): Promise<PkiManifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new CoreError('PKI_NOT_INITIALISED', `no built-in PKI in ${dir}`);
    throw new CoreError('PKI_INVALID', `cannot read ${MANIFEST_FILE}`, { cause: error });
  }
  try {
    return manifestSchema.parse(JSON.parse(text));
  } catch (cause) {
    throw new CoreError('PKI_INVALID', `${MANIFEST_FILE} is not a valid manifest`, { cause });
  }
}

async function readJsonFile<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  try {
    return schema.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch (cause) {
    throw new CoreError('PKI_INVALID', `cannot read ${path}`, { cause });
  }
}

/** The issued-certificate registry as read so far (see BuiltinPki.#issuedRegistry). */
interface IssuedRegistry {
  /** Identity of the initial registry file (inode, size, mtime) when it was read. */
  initialVersion: string;
  /** Identity of the log file (device, inode) being read. */
  logIdentity: string;
  /** Bytes of the log read so far (always at a line's end). */
  logOffset: number;
  /**
   * The serial numbers of every record, by issuer: all that the OCSP status and a revocation ask of the
   * registry, kept as integers (no string of the log stays referenced). The records themselves stay on
   * disk — every process that answers OCSP or seals (the HTTP process, each job process, started anew
   * after each idle spell) held them all. With 200,000 certificates (two per envelope), a process's first
   * lookup retained +76 MB of heap before, +11.5 MB now; it still takes 0.7–0.8 s of CPU, once per process
   * that answers OCSP requests (`node --expose-gc --import tsx bench/issued-registry-bench.ts`; issue 10).
   * The seal does not read it (see revocationProvider).
   */
  serials: Record<IssuedRecord['issuer'], Set<bigint>>;
}

/** Whether the registry holds this serial number (hex, any leading zeros) of this issuer. */
function wasIssued(registry: IssuedRegistry, issuer: IssuedRecord['issuer'], serialHex: string): boolean {
  return registry.serials[issuer].has(BigInt(`0x${serialHex}`));
}

/** Adds a record; false when its serial number is not hex (not a record this PKI wrote). */
function addIssued(registry: IssuedRegistry, record: Pick<IssuedRecord, 'issuer' | 'serialHex'>): boolean {
  if (!HEX.test(record.serialHex)) return false;
  registry.serials[record.issuer].add(BigInt(`0x${record.serialHex}`));
  return true;
}

const HEX = /^[0-9a-fA-F]+$/;

/** Whether `key` signed this DER certificate (false for bytes that are no certificate). */
function signedBy(certificate: Uint8Array, key: KeyObject): boolean {
  try {
    return new X509Certificate(certificate).verify(key);
  } catch {
    return false;
  }
}

async function statIfPresent(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CoreError('PKI_INVALID', `cannot read ${path}`, { cause });
  }
}

/** Bytes [from, to) of a file (fewer if it is shorter now). */
async function readRange(path: string, from: number, to: number): Promise<Buffer> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    const buffer = Buffer.alloc(to - from);
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await file.read(buffer, read, buffer.length - read, from + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buffer.subarray(0, read);
  } catch (cause) {
    throw new CoreError('PKI_INVALID', `cannot read ${path}`, { cause });
  } finally {
    await file?.close();
  }
}

async function readCertificateFile(path: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CoreError('PKI_INVALID', `certificate file missing: ${path}`, { cause });
  }
  const [der] = fromPem(text, 'CERTIFICATE');
  if (der === undefined) throw new CoreError('PKI_INVALID', `no certificate in ${path}`);
  readCertificate(der);
  return der;
}

/** Loads the built-in PKI from `dir`. Throws PKI_NOT_INITIALISED, PKI_BAD_MASTER_KEY or PKI_INVALID. */
export async function loadBuiltinPki(options: LoadBuiltinPkiOptions): Promise<BuiltinPki> {
  const manifest = await readManifest(options.dir);
  if (options.masterKey === undefined && manifest.masterKeyFile === null) {
    throw new CoreError('PKI_BAD_MASTER_KEY', 'this PKI was created with a caller-supplied master key; pass it');
  }
  const { masterKey } = await resolveMasterKey(options.dir, options.masterKey, false);
  const certificates = {} as Record<CertificateRole, Uint8Array>;
  for (const role of ROLES) {
    certificates[role] = await readCertificateFile(join(options.dir, manifest.files[role].certificate));
  }
  const openKey = async (role: CertificateRole): Promise<KeyObject> => {
    const key = await readEncryptedPrivateKey(join(options.dir, manifest.files[role].key), masterKey);
    if (!bytesEqual(spkiOf(key), readCertificate(certificates[role]).spki)) {
      throw new CoreError('PKI_INVALID', `the ${role} key does not match the ${role} certificate`);
    }
    return key;
  };
  // Each key is opened once; with 'all' every one before the PKI is returned (in role order, as errors go).
  const opened = new Map<CertificateRole, Promise<KeyObject>>();
  const key = (role: CertificateRole): Promise<KeyObject> => {
    let open = opened.get(role);
    if (open === undefined) opened.set(role, (open = openKey(role)));
    return open;
  };
  if (options.openKeys !== 'when-used') for (const role of ROLES) await key(role);
  return new BuiltinPki(options.dir, manifest, certificates, key, options.now ?? (() => new Date()));
}

/** Options of issueSigningCertificate. */
export interface IssueSigningCertificateOptions {
  /** SubjectPublicKeyInfo DER of the key (e.g. held in an HSM). */
  publicKeySpki: Uint8Array;
  subjectCommonName: string;
  keyAlgorithm: KeyAlgorithm;
  /** The signer's e-mail address, written as an rfc822Name subjectAltName (ASCII addresses only). */
  email?: string;
  /** Validity in days (default five years; never beyond the issuing CA). */
  validityDays?: number;
}

/** Who a witness signature is made for: the person the platform signs on behalf of (立会人型). */
export interface WitnessIdentity {
  name: string;
  email?: string;
}

/** The loaded built-in PKI: certificates, signers, OCSP, CRLs and revocation. Obtain it from loadBuiltinPki. */
export class BuiltinPki {
  readonly dir: string;
  readonly manifest: PkiManifest;
  readonly urls: PkiUrls;
  readonly rootCertificate: Uint8Array;
  readonly issuingCertificate: Uint8Array;
  readonly signingCertificate: Uint8Array;
  readonly tsaCertificate: Uint8Array;
  readonly ocspCertificate: Uint8Array;
  /** Signs documents; chain [signing, issuing, root]. */
  readonly signingSigner: Signer;
  /** Signs timestamp tokens; chain [tsa, issuing, root]. */
  readonly tsaSigner: Signer;
  /** OCSP for certificates of the issuing CA, signed by the delegated responder certificate. */
  readonly ocspResponder: OcspResponder;
  /** Answers in-process: OCSP for certificates of the issuing CA, CRLs for both CAs. */
  readonly revocationProvider: RevocationProvider;
  /** The private key of a role (opened once, at load or on first use: LoadBuiltinPkiOptions.openKeys). */
  readonly #key: (role: CertificateRole) => Promise<KeyObject>;
  readonly #now: () => Date;
  #lastCrlNumber = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #registry: IssuedRegistry | undefined;
  #registryRead: Promise<unknown> = Promise.resolve();
  readonly #answers = new Map<string, { at: number; version: string; answer: Promise<Uint8Array> }>();

  constructor(
    dir: string,
    manifest: PkiManifest,
    certificates: Record<CertificateRole, Uint8Array>,
    key: (role: CertificateRole) => Promise<KeyObject>,
    now: () => Date,
  ) {
    this.dir = dir;
    this.manifest = manifest;
    this.urls = pkiUrls(manifest.publicUrl);
    this.rootCertificate = certificates.root;
    this.issuingCertificate = certificates.issuing;
    this.signingCertificate = certificates.signing;
    this.tsaCertificate = certificates.tsa;
    this.ocspCertificate = certificates.ocsp;
    this.#key = key;
    this.#now = now;
    const chainTail = [certificates.issuing, certificates.root];
    this.signingSigner = openingSigner(() => key('signing'), [certificates.signing, ...chainTail]);
    this.tsaSigner = openingSigner(() => key('tsa'), [certificates.tsa, ...chainTail]);
    const responderSigner = openingSigner(() => key('ocsp'), [certificates.ocsp, ...chainTail]);
    const responder = (statusOf: (serialHex: string) => Promise<OcspCertStatus>) =>
      createOcspResponder({
        issuerCertificate: certificates.issuing,
        responderCertificate: certificates.ocsp,
        responderSigner,
        statusOf,
        now,
      });
    this.ocspResponder = responder((serialHex) => this.statusOf('issuing', serialHex));
    // For a certificate in hand that the issuing CA's key signed, that signature proves it was issued
    // here: its status is its revocation alone, without the issued-certificate registry, which a process
    // would otherwise read whole at its first seal (each job process, started anew after an idle spell).
    const issuedInHand = responder(
      async (serialHex) => (await this.#revocationOf('issuing', serialHex)) ?? { status: 'good' },
    );
    const issuingKey = new X509Certificate(certificates.issuing).publicKey;
    // Sealing asks for the same answers again and again (the TSA's certificate, the CAs' CRLs): each is
    // signed once and reused for a few minutes, and never after a revocation (revoked.json changed).
    this.revocationProvider = {
      ocsp: async (certificate, issuer) => {
        if (!bytesEqual(issuer, this.issuingCertificate)) return null;
        return this.#reused(`ocsp:${Buffer.from(certificate).toString('base64')}`, () =>
          (signedBy(certificate, issuingKey) ? issuedInHand : this.ocspResponder).respond(
            createOcspRequest(certificate, issuer),
          ),
        );
      },
      crl: async (_certificate, issuer) => {
        if (bytesEqual(issuer, this.rootCertificate)) return this.#reused('crl:root', () => this.crl('root'));
        if (bytesEqual(issuer, this.issuingCertificate)) return this.#reused('crl:issuing', () => this.crl('issuing'));
        return null;
      },
    };
  }

  /**
   * A revocation answer made at most REVOCATION_REUSE_MS ago while revoked.json has not changed since,
   * else a fresh one. Bounded (least recently used out); a failure is not kept.
   */
  async #reused(key: string, make: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const version = await this.#revokedVersion();
    const now = this.#now().getTime();
    const hit = this.#answers.get(key);
    if (hit !== undefined && hit.version === version && now >= hit.at && now - hit.at < REVOCATION_REUSE_MS) {
      this.#answers.delete(key);
      this.#answers.set(key, hit);
      return hit.answer;
    }
    const entry = { at: now, version, answer: make() };
    this.#answers.set(key, entry);
    if (this.#answers.size > REUSED_ANSWERS) this.#answers.delete(this.#answers.keys().next().value!);
    entry.answer.catch(() => {
      if (this.#answers.get(key) === entry) this.#answers.delete(key);
    });
    return entry.answer;
  }

  /** What identifies the current revoked.json (changed by every revocation, in any process). */
  async #revokedVersion(): Promise<string> {
    try {
      const info = await stat(join(this.dir, this.manifest.files.revoked));
      return `${info.ino}:${info.size}:${info.mtimeMs}`;
    } catch {
      return 'none';
    }
  }

  /**
   * Opens now the keys that revocation answers are signed with (the CAs' for CRLs, the responder's for
   * OCSP), for a caller that has time to spare before it asks (loaded with openKeys 'when-used').
   */
  async openRevocationKeys(): Promise<void> {
    await Promise.all((['root', 'issuing', 'ocsp'] as const).map((role) => this.#key(role)));
  }

  /** The root certificate as PEM (what users import into their trust store). */
  rootPem(): string {
    return toPem(this.rootCertificate, 'CERTIFICATE');
  }

  /** The issuing CA certificate as PEM. */
  issuingPem(): string {
    return toPem(this.issuingCertificate, 'CERTIFICATE');
  }

  /**
   * The issued-certificate registry, read incrementally: the log only grows (one line appended per
   * certificate, by any thread or process), so each call reads just the bytes appended since the last
   * one. OCSP asks for every new witness certificate when an envelope is sealed; reading and checking
   * the whole log each time cost time in proportion to every certificate ever issued. A log replaced or
   * shortened (a restore) or a changed initial registry is read again from the start. Calls are serialised.
   */
  #issuedRegistry(): Promise<IssuedRegistry> {
    const next = this.#registryRead.then(() => this.#refreshIssuedRegistry());
    this.#registryRead = next.catch(() => undefined);
    return next;
  }

  async #refreshIssuedRegistry(): Promise<IssuedRegistry> {
    const initialPath = join(this.dir, this.manifest.files.issued);
    const logPath = join(this.dir, ISSUED_LOG_FILE);
    const [initialInfo, logInfo] = await Promise.all([statIfPresent(initialPath), statIfPresent(logPath)]);
    const initialVersion =
      initialInfo === undefined ? 'none' : `${initialInfo.ino}:${initialInfo.size}:${initialInfo.mtimeMs}`;
    const logIdentity = logInfo === undefined ? 'none' : `${logInfo.dev}:${logInfo.ino}`;
    const logSize = logInfo?.size ?? 0;
    let registry = this.#registry;
    if (
      registry === undefined ||
      registry.initialVersion !== initialVersion ||
      registry.logIdentity !== logIdentity ||
      logSize < registry.logOffset
    ) {
      const initial = await readJsonFile(initialPath, issuedSchema);
      registry = { initialVersion, logIdentity, logOffset: 0, serials: { root: new Set(), issuing: new Set() } };
      for (const record of initial)
        if (!addIssued(registry, record))
          throw new CoreError('PKI_INVALID', `cannot read ${initialPath}: a serial number is not hex`);
    }
    if (logSize > registry.logOffset) {
      const appended = await readRange(logPath, registry.logOffset, logSize);
      // A line being appended by another process right now is read on a later call, whole.
      const end = appended.lastIndexOf(0x0a) + 1;
      // Each line decoded on its own: pieces split from one string of the whole read would keep all of
      // it alive while any of them (a regular expression's last match) is referenced.
      for (let start = 0; start < end;) {
        const stop = appended.indexOf(0x0a, start);
        const line = appended.toString('utf8', start, stop);
        start = stop + 1;
        if (line.trim() === '') continue;
        let record: IssuedRecord;
        try {
          record = issuedRecordSchema.parse(JSON.parse(line));
        } catch (cause) {
          throw new CoreError('PKI_INVALID', `cannot read ${logPath}: a line is not an issued-certificate record`, {
            cause,
          });
        }
        if (!addIssued(registry, record))
          throw new CoreError('PKI_INVALID', `cannot read ${logPath}: a serial number is not hex`);
      }
      registry.logOffset += end;
    }
    this.#registry = registry;
    return registry;
  }

  async #revoked(): Promise<RevokedRecord[]> {
    return readJsonFile(join(this.dir, this.manifest.files.revoked), revokedSchema);
  }

  /** Runs registry updates one at a time within this process. */
  #serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Revocation status of a certificate issued by `issuer`, read from disk on every call so that a
   * revocation made by another process (the CLI) is seen at once. Serials never issued are `unknown`.
   */
  async statusOf(issuer: 'root' | 'issuing', serialHex: string): Promise<OcspCertStatus> {
    const revoked = await this.#revocationOf(issuer, serialHex);
    if (revoked !== undefined) return revoked;
    const issued = wasIssued(await this.#issuedRegistry(), issuer, normaliseSerialHex(serialHex));
    return issued ? { status: 'good' } : { status: 'unknown' };
  }

  /** The `revoked` status of a serial of `issuer`, read from revoked.json now; undefined when not revoked. */
  async #revocationOf(issuer: 'root' | 'issuing', serialHex: string): Promise<OcspCertStatus | undefined> {
    const serial = normaliseSerialHex(serialHex);
    const revoked = (await this.#revoked()).find((r) => r.serialHex === serial && r.issuer === issuer);
    return revoked === undefined
      ? undefined
      : { status: 'revoked', revokedAt: new Date(revoked.revokedAt), reason: revoked.reason };
  }

  /** A freshly signed CRL (DER) of the root or issuing CA; nextUpdate is 7 days on. */
  async crl(which: 'root' | 'issuing'): Promise<Uint8Array> {
    const thisUpdate = wholeSeconds(this.#now());
    // CRL numbers must increase (RFC 5280 §5.2.3): milliseconds since the epoch, bumped if called twice in one millisecond.
    this.#lastCrlNumber = Math.max(this.#lastCrlNumber + 1, Date.now());
    const revoked: RevokedEntry[] = (await this.#revoked())
      .filter((r) => r.issuer === which)
      .map((r) => ({ serialHex: r.serialHex, revokedAt: new Date(r.revokedAt), reason: r.reason }));
    return signCrl(
      which === 'root' ? this.rootCertificate : this.issuingCertificate,
      keySigner(await this.#key(which)),
      revoked,
      thisUpdate,
      this.#lastCrlNumber,
    );
  }

  /** Signs the current CRL of each CA of `roles` and publishes it in the PKI directory (published-crl.ts). */
  async publishCrls(roles: readonly CaRole[] = CA_ROLES): Promise<void> {
    for (const role of roles) await writePrivateFile(join(this.dir, PUBLISHED_CRL_FILES[role]), await this.crl(role));
  }

  /**
   * Publishes again each CA's CRL that is missing, unreadable, incomplete (a revocation since) or
   * current for less than half its validity, so that `inkan verify` finds a current one and needs no
   * key; the server calls it at start and hourly. Returns the CAs whose CRL it published.
   */
  async refreshPublishedCrls(): Promise<CaRole[]> {
    const halfway = new Date(this.#now().getTime() + CRL_VALIDITY_MS / 2);
    const published = await readPublishedCrls(this.dir, this.manifest.files.revoked, halfway);
    const certificate = { root: this.rootCertificate, issuing: this.issuingCertificate };
    const stale = CA_ROLES.filter((role) => published.forIssuer(certificate[role]) === null);
    await this.publishCrls(stale);
    return stale;
  }

  /**
   * Revokes a certificate issued by this PKI (persisted in revoked.json), and publishes its CA's CRL
   * again. Revoking an already revoked serial keeps the first record. Unknown serial →
   * CoreError('PKI_UNKNOWN_CERTIFICATE').
   */
  revoke(serialHex: string, reason?: number): Promise<void> {
    return this.#serialised(async () => {
      const serial = normaliseSerialHex(serialHex);
      if (reason !== undefined && !isCrlReasonCode(reason))
        throw new CoreError('PKI_INVALID', `bad CRL reason code ${reason}`);
      // The certificates made at `init` (issued.json) and every one issued since (issued.jsonl).
      const registry = await this.#issuedRegistry();
      const issuer = (['issuing', 'root'] as const).find((i) => wasIssued(registry, i, serial));
      if (issuer === undefined)
        throw new CoreError('PKI_UNKNOWN_CERTIFICATE', `no certificate with serial ${serial} was issued by this PKI`);
      const revoked = await this.#revoked();
      if (revoked.some((r) => r.serialHex === serial && r.issuer === issuer)) return;
      revoked.push({
        serialHex: serial,
        issuer,
        revokedAt: wholeSeconds(this.#now()).toISOString(),
        ...(reason === undefined ? {} : { reason }),
      });
      await writeJson(join(this.dir, this.manifest.files.revoked), revoked);
      // Until this is written, readers find the published CRL incomplete and ask the CA with its keys.
      await this.publishCrls([issuer]);
    });
  }

  /** Issues a document-signing certificate (same profile as the platform's) for a key held elsewhere. */
  issueSigningCertificate(options: IssueSigningCertificateOptions): Promise<Uint8Array> {
    return this.#issueEndEntity('signing', options);
  }

  /**
   * Issues a TSA certificate (RFC 3161 profile: timeStamping EKU, critical) for a key held elsewhere:
   * a new TSA certificate before the current one runs out, so that archive timestamps can be renewed.
   */
  issueTimestampCertificate(options: Omit<IssueSigningCertificateOptions, 'email'>): Promise<Uint8Array> {
    return this.#issueEndEntity('tsa', options);
  }

  #issueEndEntity(profile: 'signing' | 'tsa', options: IssueSigningCertificateOptions): Promise<Uint8Array> {
    return this.#serialised(async () => {
      let publicKey: KeyObject;
      try {
        publicKey = createPublicKey({ key: Buffer.from(options.publicKeySpki), format: 'der', type: 'spki' });
      } catch (cause) {
        throw new CoreError('PKI_INVALID', 'publicKeySpki is not a DER SubjectPublicKeyInfo', { cause });
      }
      const actual =
        publicKey.asymmetricKeyType === 'rsa'
          ? 'RSA'
          : publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1'
            ? 'ECDSA-P256'
            : undefined;
      if (actual !== options.keyAlgorithm)
        throw new CoreError('PKI_INVALID', `the public key is not ${options.keyAlgorithm}`);
      if (actual === 'RSA' && (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
        throw new CoreError('PKI_INVALID', 'RSA keys must be at least 2048 bits');
      const spki = spkiOf(publicKey);
      const issuing = readCertificate(this.issuingCertificate);
      const now = wholeSeconds(this.#now());
      const notAfter =
        options.validityDays === undefined
          ? addYears(now, 5)
          : new Date(now.getTime() + options.validityDays * 86_400_000);
      const der = await signCertificate(
        {
          serialNumber: randomSerial(),
          issuerName: issuing.subjectDer,
          subjectName: encodeName([
            [OID.organizationName, this.manifest.organisationName],
            [OID.commonName, options.subjectCommonName],
          ]),
          notBefore: new Date(now.getTime() - BACKDATE_MS),
          // Never outlive the issuing CA.
          notAfter: notAfter > issuing.notAfter ? issuing.notAfter : notAfter,
          spki,
          extensions: [
            ...endEntityExtensions(profile, spki, issuing.spki, this.urls),
            ...(profile === 'signing' &&
            options.email !== undefined &&
            /^[\x21-\x7e]+@[\x21-\x7e]+$/.test(options.email)
              ? [subjectAltNameEmailExtension(options.email)]
              : []),
          ],
        },
        keySigner(await this.#key('issuing')),
      );
      const info = readCertificate(der);
      const record: IssuedRecord = {
        serialHex: info.serialHex,
        issuer: 'issuing',
        subject: info.subjectText,
        profile,
        notAfter: info.notAfter.toISOString(),
      };
      // One short line per certificate, appended: safe beside other threads and processes doing the same.
      await appendFile(join(this.dir, ISSUED_LOG_FILE), `${JSON.stringify(record)}\n`, { mode: 0o600 });
      return der;
    });
  }
}

/**
 * A Signer for one signer of an envelope (witness signing, 立会人型): the platform's key signs, under a
 * certificate that the issuing CA makes for this person (their name, their e-mail). Validators and
 * Adobe then show who signed, and each signature carries its own certificate.
 */
export async function createWitnessSigner(
  pki: BuiltinPki,
  identity: WitnessIdentity,
  base: Signer = pki.signingSigner,
): Promise<Signer> {
  const spki = readCertificate(base.certificateChain[0]).spki;
  const certificate = await pki.issueSigningCertificate({
    publicKeySpki: spki,
    subjectCommonName: identity.name,
    email: identity.email,
    keyAlgorithm: base.keyAlgorithm,
    validityDays: WITNESS_CERTIFICATE_DAYS,
  });
  return {
    keyAlgorithm: base.keyAlgorithm,
    certificateChain: [certificate, pki.issuingCertificate, pki.rootCertificate],
    sign: (data) => base.sign(data),
  };
}

/** Witness certificates live two years: long enough for any signing flow; LTV data keeps them verifiable afterwards. */
const WITNESS_CERTIFICATE_DAYS = 730;

/** Issues a signing certificate from the built-in issuing CA for a key given as SPKI DER (e.g. an HSM key). */
export function issueSigningCertificate(pki: BuiltinPki, options: IssueSigningCertificateOptions): Promise<Uint8Array> {
  return pki.issueSigningCertificate(options);
}

/** Hex of a certificate's serial number in the form revoke() and statusOf() use. */
export function certificateSerialHex(certificate: Uint8Array): string {
  return readCertificate(certificate).serialHex;
}
