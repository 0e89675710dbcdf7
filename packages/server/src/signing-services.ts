import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPublicKey, X509Certificate } from 'node:crypto';
import {
  checkSigningCredential,
  createTimestampResponder,
  KeyFileSigner,
  publicKeyOf,
  readPkcs12,
  HttpTimestampAuthority,
  isCoreError,
  loadBuiltinPki,
  LocalTimestampAuthority,
  parseMasterKey,
  Pkcs11Signer,
  readPublicKeySpki,
  type BuiltinPki,
  type SealOptions,
  type Signer,
  type TimestampAuthority,
  type TimestampResponder,
} from '@inkan/core';
import type { Config } from './config/config.ts';
import {
  summaryOf,
  type OperatorSigning,
  type SigningMode,
} from './domain/signing-certificates/organization-signing.ts';
import { readCertificates as readCertificateFiles } from './cli/certificate-files.ts';
import type { Metrics } from './observability/metrics.ts';

/** What signing needs, assembled from the configuration: the one place that picks adapters. */
export interface SigningServices {
  pki: BuiltinPki;
  /** The platform's signing key: the key file, or the HSM key when INKAN_PKCS11_* is set. */
  platformSigner: Signer;
  /** The built-in TSA's responder (served over HTTP at /tsa). */
  timestampResponder: TimestampResponder;
  /** The TSA used for signatures: external ones when INKAN_TSA_URLS is set, else the built-in one. */
  timestampAuthority: TimestampAuthority;
  /** Trust anchors of this installation: the built-in root, then the root of the operator's signing certificate (if any). */
  trustAnchors: Uint8Array[];
  /** The built-in CAs' current CRLs (re-signed at most hourly): what /verify's workers, which hold no keys, know about this installation's certificates. */
  currentRevocationData(): Promise<{ crls: Uint8Array[]; ocsp: Uint8Array[] }>;
  /** What sealing and renewing need. */
  sealOptions: SealOptions;
  /** The operator's trusted signing certificate (INKAN_SIGNING_P12 or INKAN_SIGNING_PKCS11_KEY_LABEL), checked at start. */
  operatorSigning?: OperatorSigning;
  /** The signing mode of organisations that chose none (INKAN_SIGNING_MODE). */
  defaultSigningMode: SigningMode;
  /** Releases the HSM session, if any. */
  close(): Promise<void>;
}

/** The master key from INKAN_MASTER_KEY, if given. */
export function masterKeyOf(config: Config): Uint8Array | undefined {
  return config.masterKey === undefined ? undefined : parseMasterKey(config.masterKey);
}

/** Loads the built-in PKI, the platform key (file or HSM) and the TSA selected by the configuration. */
export async function openSigningServices(
  config: Config,
  options: { metrics?: Metrics } = {},
): Promise<SigningServices> {
  const pki = await loadBuiltinPki({ dir: config.pkiDir, masterKey: masterKeyOf(config) });
  const timestampResponder = createTimestampResponder({
    certificate: pki.tsaCertificate,
    chain: [pki.issuingCertificate, pki.rootCertificate],
    signer: pki.tsaSigner,
  });
  const tsa: TimestampAuthority =
    config.tsaUrls.length > 0
      ? new HttpTimestampAuthority({ urls: config.tsaUrls, timeoutMs: config.tsaTimeoutMs })
      : new LocalTimestampAuthority(timestampResponder);
  const timestampAuthority = options.metrics ? measuredTimestampAuthority(tsa, options.metrics) : tsa;
  const hsm = config.pkcs11 ? await openHsmSigner(config, pki) : undefined;
  const operatorSigning = await openOperatorSigning(config).catch(async (error: unknown) => {
    await hsm?.close();
    throw error;
  });
  return {
    pki,
    platformSigner: hsm ?? pki.signingSigner,
    timestampResponder,
    timestampAuthority,
    // The operator's CA is trusted by /verify (the operator chose it); organisations' uploaded roots are
    // not: any administrator could upload a certificate of a CA they made themselves.
    trustAnchors: [pki.rootCertificate, ...(operatorSigning ? [operatorSigning.signer.certificateChain.at(-1)!] : [])],
    currentRevocationData: currentCrls(pki),
    sealOptions: {
      timestampAuthority,
      revocationProvider: pki.revocationProvider,
      extraCertificates: [pki.issuingCertificate, pki.rootCertificate, pki.ocspCertificate, pki.tsaCertificate],
    },
    operatorSigning,
    defaultSigningMode: config.defaultSigningMode,
    close: async () => {
      await hsm?.close();
      if (operatorSigning?.signer instanceof Pkcs11Signer) await operatorSigning.signer.close();
    },
  };
}

const CRL_REFRESH_MS = 3600 * 1000;

/**
 * Keeps the CAs' CRLs published in the PKI directory current while the server runs (at once, then
 * hourly: BuiltinPki.refreshPublishedCrls publishes one only when it has less than half its week
 * left, or misses a revocation), so that `inkan verify` on this installation needs no key. Returns
 * the stop.
 */
export function keepPublishedCrlsCurrent(pki: BuiltinPki, onError: (error: Error) => void): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const refresh = () => {
    running = running.then(() => pki.refreshPublishedCrls()).then(() => undefined, onError);
  };
  refresh();
  const timer = setInterval(refresh, CRL_REFRESH_MS);
  timer.unref();
  // The stop waits for a refresh under way: nothing is written into the data directory after it.
  return () => {
    clearInterval(timer);
    return running;
  };
}

/** The root and issuing CAs' CRLs, made once and again when an hour old (they are valid a week). */
function currentCrls(pki: BuiltinPki): () => Promise<{ crls: Uint8Array[]; ocsp: Uint8Array[] }> {
  let made: { at: number; data: Promise<{ crls: Uint8Array[]; ocsp: Uint8Array[] }> } | undefined;
  return () => {
    if (!made || Date.now() - made.at > CRL_REFRESH_MS) {
      const data = Promise.all([pki.crl('root'), pki.crl('issuing')]).then((crls) => ({ crls, ocsp: [] }));
      made = { at: Date.now(), data };
      // A failure is not kept: the next upload tries again.
      data.catch(() => {
        made = undefined;
      });
    }
    return made.data;
  };
}

/** The TSA with its round trips timed and its failures counted (inkan_tsa_* metrics). */
function measuredTimestampAuthority(tsa: TimestampAuthority, metrics: Metrics): TimestampAuthority {
  return {
    timestamp: async (digest) => {
      const end = metrics.tsaDuration.startTimer();
      try {
        const token = await tsa.timestamp(digest);
        end({ outcome: 'ok' });
        return token;
      } catch (error) {
        end({ outcome: 'error' });
        metrics.tsaErrors.inc({ code: isCoreError(error) ? error.code : 'OTHER' });
        throw error;
      }
    },
  };
}

/**
 * Opens the HSM key named by INKAN_PKCS11_*. Its certificate comes from the built-in issuing CA and is
 * kept in the PKI directory; a new one is issued when the key changes.
 */
async function openHsmSigner(config: Config, pki: BuiltinPki): Promise<Pkcs11Signer> {
  const hsm = config.pkcs11!;
  const selector = { libraryPath: hsm.library, tokenLabel: hsm.token, pin: hsm.pin, keyLabel: hsm.keyLabel };
  const spki = await readPublicKeySpki(selector);
  const certificatePath = join(config.pkiDir, 'hsm-signing.cer');
  let certificate: Uint8Array | undefined;
  try {
    const stored = new Uint8Array(await readFile(certificatePath));
    const storedSpki = new X509Certificate(stored).publicKey.export({ type: 'spki', format: 'der' });
    if (Buffer.compare(storedSpki, spki) === 0) certificate = stored;
  } catch {
    certificate = undefined;
  }
  if (!certificate) {
    const type = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).asymmetricKeyType;
    certificate = await pki.issueSigningCertificate({
      publicKeySpki: spki,
      subjectCommonName: `${config.organisationName} Signing Service (HSM)`,
      keyAlgorithm: type === 'rsa' ? 'RSA' : 'ECDSA-P256',
    });
    await writeFile(certificatePath, certificate);
  }
  return Pkcs11Signer.open({
    ...selector,
    certificateChain: [certificate, pki.issuingCertificate, pki.rootCertificate],
  });
}

/**
 * Opens the operator's trusted signing certificate: a PKCS#12 file (INKAN_SIGNING_P12 with its password)
 * or a key of the INKAN_PKCS11_* token (INKAN_SIGNING_PKCS11_KEY_LABEL), with the chain of
 * INKAN_SIGNING_CHAIN. The same checks as an organisation's upload; a refusal stops the start with the
 * variable named.
 */
async function openOperatorSigning(config: Config): Promise<OperatorSigning | undefined> {
  const operator = config.operatorSigning;
  if (!operator) return undefined;
  const variable = operator.kind === 'pkcs12' ? 'INKAN_SIGNING_P12' : 'INKAN_SIGNING_PKCS11_KEY_LABEL';
  try {
    const chain = operator.chainFile ? readCertificateFiles([operator.chainFile]) : [];
    if (operator.kind === 'pkcs12') {
      const password = operator.password ?? (await readFile(operator.passwordFile!, 'utf8')).replace(/\r?\n$/, '');
      const contents = readPkcs12(new Uint8Array(await readFile(operator.file)), password);
      const credential = checkSigningCredential({
        publicKey: publicKeyOf(contents.privateKey),
        certificates: [...contents.certificates, ...chain],
        time: new Date(),
      });
      return {
        kind: 'pkcs12',
        signer: new KeyFileSigner(contents.privateKey, credential.certificateChain),
        certificate: summaryOf(credential),
      };
    }
    const hsm = config.pkcs11!;
    const selector = { libraryPath: hsm.library, tokenLabel: hsm.token, pin: hsm.pin, keyLabel: operator.keyLabel };
    const spki = await readPublicKeySpki(selector);
    const credential = checkSigningCredential({
      publicKey: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }),
      certificates: chain,
      time: new Date(),
    });
    const signer = await Pkcs11Signer.open({ ...selector, certificateChain: credential.certificateChain });
    return { kind: 'pkcs11', signer, certificate: summaryOf(credential) };
  } catch (error) {
    throw new Error(`${variable}: the operator's signing certificate cannot be used: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Reads PEM or DER certificate files given with --trust. */
export async function readCertificates(paths: readonly string[]): Promise<Uint8Array[]> {
  return Promise.resolve(readCertificateFiles(paths));
}
