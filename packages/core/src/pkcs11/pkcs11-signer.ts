import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto';
import { parseCertificate } from '../x509/certificate.ts';
import pkcs11js from 'pkcs11js';
import { CoreError } from '../errors.ts';
import type { KeyAlgorithm, Signer } from '../signer.ts';
import { ecdsaRawToDer, sha256DigestInfo } from './pkcs11-encoding.ts';
import { privateKeyInfo } from './pkcs11-keys.ts';
import {
  describeKey,
  findObject,
  keyIdBytes,
  openTokenSession,
  pkcs11Error,
  readAttribute,
  readBool,
  type Handle,
  type TokenSelector,
  type TokenSession,
} from './pkcs11-module.ts';

/** RSA mechanisms a Pkcs11Signer can use. */
export type RsaSignMechanism = 'CKM_SHA256_RSA_PKCS' | 'CKM_RSA_PKCS';

/** Options of Pkcs11Signer.open. Give tokenLabel (or slotIndex) and keyLabel and/or keyId. */
export interface Pkcs11SignerOptions extends TokenSelector {
  /** User PIN; used for C_Login only and never put in errors. */
  pin: string;
  keyLabel?: string;
  /** CKA_ID of the private key, as bytes or hex. */
  keyId?: Uint8Array | string;
  /** The certificate of the key first, then its issuers (DER). Checked against the token's public key when the token reveals it. */
  certificateChain: readonly Uint8Array[];
  /**
   * RSA only. Default: CKM_SHA256_RSA_PKCS when the token offers it, else CKM_RSA_PKCS over a
   * DigestInfo hashed here (same signature; for tokens without on-token hashing mechanisms).
   */
  rsaMechanism?: RsaSignMechanism;
}

/**
 * A Signer whose private key stays in a PKCS#11 token (HSM, smart card, SoftHSM).
 * One logged-in session per signer; concurrent `sign` calls are queued because a PKCS#11
 * session runs one operation at a time. Call `close()` when done.
 */
export class Pkcs11Signer implements Signer {
  readonly keyAlgorithm: KeyAlgorithm;
  readonly certificateChain: readonly Uint8Array[];
  readonly #tokenSession: TokenSession;
  readonly #privateKey: Handle;
  readonly #signatureLength: number;
  readonly #mechanism: number;
  readonly #keyDescription: string;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(init: {
    tokenSession: TokenSession;
    privateKey: Handle;
    keyAlgorithm: KeyAlgorithm;
    signatureLength: number;
    mechanism: number;
    keyDescription: string;
    certificateChain: readonly Uint8Array[];
  }) {
    this.#tokenSession = init.tokenSession;
    this.#privateKey = init.privateKey;
    this.keyAlgorithm = init.keyAlgorithm;
    this.#signatureLength = init.signatureLength;
    this.#mechanism = init.mechanism;
    this.#keyDescription = init.keyDescription;
    this.certificateChain = init.certificateChain;
  }

  /** Loads the library (once per process), logs in to the token and finds the private key. */
  static async open(options: Pkcs11SignerOptions): Promise<Pkcs11Signer> {
    if (options.certificateChain.length === 0)
      throw new CoreError('SIGNER_FAILED', 'Pkcs11Signer needs the certificate of its key');
    const selector = { keyLabel: options.keyLabel, keyId: keyIdBytes(options.keyId) };
    if (selector.keyLabel === undefined && selector.keyId === undefined)
      throw new CoreError('PKCS11_ERROR', 'Pkcs11Signer needs keyLabel or keyId');
    const tokenSession = openTokenSession({
      libraryPath: options.libraryPath,
      tokenLabel: options.tokenLabel,
      slotIndex: options.slotIndex,
      pin: options.pin,
    });
    try {
      const keyDescription = `key with ${describeKey(selector)} on token "${tokenSession.tokenLabel}"`;
      const privateKey = findObject(tokenSession, pkcs11js.CKO_PRIVATE_KEY, selector);
      if (privateKey === undefined) throw new CoreError('PKCS11_ERROR', `no private ${keyDescription} (key not found)`);
      if (readBool(readAttribute(tokenSession, privateKey, pkcs11js.CKA_SIGN)) === false) {
        throw new CoreError('PKCS11_ERROR', `the private ${keyDescription} may not sign (CKA_SIGN false)`);
      }
      const info = privateKeyInfo(tokenSession, privateKey, selector);
      if (info.publicKeySpki !== undefined)
        assertCertificateMatches(options.certificateChain[0], info.publicKeySpki, keyDescription);
      const mechanism = chooseMechanism(tokenSession, info.keyAlgorithm, options.rsaMechanism);
      return new Pkcs11Signer({
        tokenSession,
        privateKey,
        keyAlgorithm: info.keyAlgorithm,
        signatureLength: info.signatureLength,
        mechanism,
        keyDescription,
        certificateChain: [...options.certificateChain],
      });
    } catch (error) {
      tokenSession.close();
      throw error;
    }
  }

  /** Signs with SHA-256 (RSASSA-PKCS1-v1_5, or ECDSA returned as a DER Ecdsa-Sig-Value). */
  sign(data: Uint8Array): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new CoreError('PKCS11_ERROR', 'Pkcs11Signer is closed'));
    // Copy now: the caller may reuse its buffer while the operation waits in the queue.
    const input = Buffer.from(data);
    const result = this.#queue.then(() => this.#signNow(input));
    this.#queue = result.then(noop, noop);
    return result;
  }

  /** Waits for queued signatures, then logs out (if no other signer needs the login) and closes the session. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    this.#tokenSession.close();
  }

  async #signNow(data: Buffer): Promise<Uint8Array> {
    const { pkcs11, session } = this.#tokenSession;
    let input: Buffer;
    if (this.#mechanism === pkcs11js.CKM_SHA256_RSA_PKCS) input = data;
    else if (this.#mechanism === pkcs11js.CKM_RSA_PKCS) input = Buffer.from(sha256DigestInfo(sha256(data)));
    // CKM_ECDSA signs a digest given to it; hashing here works on every token, unlike CKM_ECDSA_SHA256.
    else input = sha256(data);
    let signature: Buffer;
    try {
      pkcs11.C_SignInit(session, { mechanism: this.#mechanism }, this.#privateKey);
      signature = await pkcs11.C_SignAsync(session, input, Buffer.alloc(this.#signatureLength));
    } catch (error) {
      throw pkcs11Error(`PKCS#11 signing with the ${this.#keyDescription} failed`, error);
    }
    if (this.keyAlgorithm === 'RSA') return signature;
    if (signature.length !== 64)
      throw new CoreError('PKCS11_ERROR', `CKM_ECDSA returned ${signature.length} bytes, expected 64 for P-256`);
    return ecdsaRawToDer(signature);
  }
}

function chooseMechanism(
  tokenSession: TokenSession,
  keyAlgorithm: KeyAlgorithm,
  rsaMechanism: RsaSignMechanism | undefined,
): number {
  let supported: number[];
  try {
    supported = tokenSession.pkcs11.C_GetMechanismList(tokenSession.slot);
  } catch (error) {
    throw pkcs11Error(`cannot list the mechanisms of token "${tokenSession.tokenLabel}"`, error);
  }
  const wanted =
    keyAlgorithm === 'ECDSA-P256'
      ? [pkcs11js.CKM_ECDSA]
      : rsaMechanism !== undefined
        ? [pkcs11js[rsaMechanism]]
        : [pkcs11js.CKM_SHA256_RSA_PKCS, pkcs11js.CKM_RSA_PKCS];
  const mechanism = wanted.find((m) => supported.includes(m));
  if (mechanism === undefined) {
    throw new CoreError(
      'PKCS11_ERROR',
      `token "${tokenSession.tokenLabel}" offers no suitable ${keyAlgorithm} signing mechanism (CKR_MECHANISM_INVALID)`,
    );
  }
  return mechanism;
}

function assertCertificateMatches(leaf: Uint8Array, tokenSpki: Uint8Array, keyDescription: string): void {
  let certificateKey: JsonWebKey;
  try {
    const key = parseCertificate(leaf).publicKey();
    if (!key) throw new Error('unsupported public key');
    certificateKey = key.export({ format: 'jwk' });
  } catch (error) {
    throw new CoreError('SIGNER_FAILED', 'the first certificate of the chain cannot be parsed', { cause: error });
  }
  const tokenKey = createPublicKey({ key: Buffer.from(tokenSpki), format: 'der', type: 'spki' }).export({
    format: 'jwk',
  });
  const same = ['kty', 'crv', 'n', 'e', 'x', 'y'].every((field) => certificateKey[field] === tokenKey[field]);
  if (!same) throw new CoreError('SIGNER_FAILED', `the certificate does not belong to the ${keyDescription}`);
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

function noop(): void {}
