import pkcs11js from 'pkcs11js';
import { CoreError } from '../errors.ts';
import type { KeyAlgorithm } from '../signer.ts';
import { P256_EC_PARAMS, p256Spki, rsaSpki } from './pkcs11-encoding.ts';
import {
  describeKey,
  findObject,
  keyIdBytes,
  openTokenSession,
  pkcs11Error,
  readAttribute,
  readBool,
  readUlong,
  type Handle,
  type TokenSelector,
  type TokenSession,
} from './pkcs11-module.ts';

/** Key pair types that can be generated on a token. */
export type TokenKeyAlgorithm = 'RSA-2048' | 'RSA-3072' | 'ECDSA-P256';

/** Options of generateKeyPairOnToken. */
export interface GenerateKeyPairOnTokenOptions extends TokenSelector {
  pin: string;
  keyLabel: string;
  /** CKA_ID shared by the private and public key (bytes or hex). */
  keyId: Uint8Array | string;
  algorithm: TokenKeyAlgorithm;
}

/** Options of readPublicKeySpki. */
export interface ReadPublicKeyOptions extends TokenSelector {
  pin: string;
  keyLabel?: string;
  keyId?: Uint8Array | string;
}

/**
 * Generates a key pair inside the token: the private key is a token object that is sensitive,
 * never extractable and may only sign; returns the public key (SubjectPublicKeyInfo DER) for certification.
 */
export async function generateKeyPairOnToken(
  options: GenerateKeyPairOnTokenOptions,
): Promise<{ publicKeySpki: Uint8Array }> {
  const keyId = keyIdBytes(options.keyId) as Uint8Array;
  const tokenSession = openTokenSession({ ...options, readWrite: true });
  try {
    const selectors = [{ keyLabel: options.keyLabel }, { keyId }];
    for (const selector of selectors) {
      for (const objectClass of [pkcs11js.CKO_PRIVATE_KEY, pkcs11js.CKO_PUBLIC_KEY]) {
        if (findObject(tokenSession, objectClass, selector) !== undefined) {
          throw new CoreError(
            'PKCS11_ERROR',
            `a key with ${describeKey(selector)} already exists on token "${tokenSession.tokenLabel}"`,
          );
        }
      }
    }
    const common = [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_LABEL, value: options.keyLabel },
      { type: pkcs11js.CKA_ID, value: Buffer.from(keyId) },
    ];
    const publicTemplate = [
      ...common,
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
      { type: pkcs11js.CKA_PRIVATE, value: false },
      { type: pkcs11js.CKA_VERIFY, value: true },
      { type: pkcs11js.CKA_ENCRYPT, value: false },
      { type: pkcs11js.CKA_WRAP, value: false },
    ];
    const privateTemplate = [
      ...common,
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_SIGN, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: false },
      { type: pkcs11js.CKA_UNWRAP, value: false },
      { type: pkcs11js.CKA_DERIVE, value: false },
    ];
    let mechanism: number;
    if (options.algorithm === 'ECDSA-P256') {
      mechanism = pkcs11js.CKM_EC_KEY_PAIR_GEN;
      publicTemplate.push(
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_EC },
        { type: pkcs11js.CKA_EC_PARAMS, value: P256_EC_PARAMS },
      );
      privateTemplate.push({ type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_EC });
    } else if (options.algorithm === 'RSA-2048' || options.algorithm === 'RSA-3072') {
      mechanism = pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN;
      publicTemplate.push(
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
        { type: pkcs11js.CKA_MODULUS_BITS, value: options.algorithm === 'RSA-2048' ? 2048 : 3072 },
        { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([0x01, 0x00, 0x01]) },
      );
      privateTemplate.push({ type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA });
    } else {
      throw new CoreError('PKCS11_ERROR', `unsupported key algorithm ${String(options.algorithm)}`);
    }
    let keys: { privateKey: Handle; publicKey: Handle };
    try {
      keys = await tokenSession.pkcs11.C_GenerateKeyPairAsync(
        tokenSession.session,
        { mechanism },
        publicTemplate,
        privateTemplate,
      );
    } catch (error) {
      throw pkcs11Error(`cannot generate a ${options.algorithm} key pair on token "${tokenSession.tokenLabel}"`, error);
    }
    // A token may silently ignore template attributes; refuse to hand out a key that could leave it.
    try {
      assertNonExtractable(tokenSession, keys.privateKey);
    } catch (error) {
      for (const handle of [keys.privateKey, keys.publicKey]) {
        try {
          tokenSession.pkcs11.C_DestroyObject(tokenSession.session, handle);
        } catch {
          /* already failing */
        }
      }
      throw error;
    }
    return { publicKeySpki: publicKeySpkiOf(tokenSession, keys.publicKey) };
  } finally {
    tokenSession.close();
  }
}

/** Reads the public key (SubjectPublicKeyInfo DER) of a key on the token: the public key object, else (RSA) the private key's public parts. */
export async function readPublicKeySpki(options: ReadPublicKeyOptions): Promise<Uint8Array> {
  const selector = { keyLabel: options.keyLabel, keyId: keyIdBytes(options.keyId) };
  if (selector.keyLabel === undefined && selector.keyId === undefined)
    throw new CoreError('PKCS11_ERROR', 'give keyLabel or keyId');
  const tokenSession = openTokenSession(options);
  try {
    const publicKey = findObject(tokenSession, pkcs11js.CKO_PUBLIC_KEY, selector);
    if (publicKey !== undefined) return publicKeySpkiOf(tokenSession, publicKey);
    const privateKey = findObject(tokenSession, pkcs11js.CKO_PRIVATE_KEY, selector);
    if (privateKey === undefined) {
      throw new CoreError(
        'PKCS11_ERROR',
        `no key with ${describeKey(selector)} on token "${tokenSession.tokenLabel}" (CKR_KEY_HANDLE_INVALID)`,
      );
    }
    const spki = privateKeyInfo(tokenSession, privateKey, selector).publicKeySpki;
    if (spki === undefined)
      throw new CoreError('PKCS11_ERROR', `the public key of ${describeKey(selector)} is not on the token`);
    return spki;
  } finally {
    tokenSession.close();
  }
}

/** What a signer needs to know about a private key on the token. */
export interface PrivateKeyInfo {
  keyAlgorithm: KeyAlgorithm;
  /** Bytes of a raw signature (RSA modulus length; 2 × 32 for P-256). */
  signatureLength: number;
  /** The matching public key when the token reveals it (RSA private keys carry it; EC needs the public key object). */
  publicKeySpki?: Uint8Array;
}

/** Detects the type of a private key (RSA, or EC on P-256) and finds its public key. */
export function privateKeyInfo(
  tokenSession: TokenSession,
  privateKey: Handle,
  selector: { keyLabel?: string; keyId?: Uint8Array },
): PrivateKeyInfo {
  const keyTypeValue = readAttribute(tokenSession, privateKey, pkcs11js.CKA_KEY_TYPE);
  const keyType = keyTypeValue === undefined ? undefined : readUlong(keyTypeValue);
  if (keyType === pkcs11js.CKK_RSA) {
    const modulus = readAttribute(tokenSession, privateKey, pkcs11js.CKA_MODULUS);
    if (modulus === undefined) throw new CoreError('PKCS11_ERROR', 'the RSA key has no readable CKA_MODULUS');
    const exponent = readAttribute(tokenSession, privateKey, pkcs11js.CKA_PUBLIC_EXPONENT);
    return {
      keyAlgorithm: 'RSA',
      signatureLength: modulus.length,
      publicKeySpki: exponent === undefined ? publicObjectSpki(tokenSession, selector) : rsaSpki(modulus, exponent),
    };
  }
  if (keyType === pkcs11js.CKK_EC) {
    const params = readAttribute(tokenSession, privateKey, pkcs11js.CKA_EC_PARAMS);
    if (params === undefined || !params.equals(P256_EC_PARAMS)) {
      throw new CoreError(
        'PKCS11_ERROR',
        `unsupported EC curve (CKA_EC_PARAMS ${params?.toString('hex') ?? 'absent'}): only P-256`,
      );
    }
    return { keyAlgorithm: 'ECDSA-P256', signatureLength: 64, publicKeySpki: publicObjectSpki(tokenSession, selector) };
  }
  throw new CoreError('PKCS11_ERROR', `unsupported PKCS#11 key type ${keyType ?? 'unknown'}: only RSA and EC P-256`);
}

function publicObjectSpki(
  tokenSession: TokenSession,
  selector: { keyLabel?: string; keyId?: Uint8Array },
): Uint8Array | undefined {
  const publicKey = findObject(tokenSession, pkcs11js.CKO_PUBLIC_KEY, selector);
  return publicKey === undefined ? undefined : publicKeySpkiOf(tokenSession, publicKey);
}

function publicKeySpkiOf(tokenSession: TokenSession, publicKey: Handle): Uint8Array {
  const keyTypeValue = readAttribute(tokenSession, publicKey, pkcs11js.CKA_KEY_TYPE);
  const keyType = keyTypeValue === undefined ? undefined : readUlong(keyTypeValue);
  if (keyType === pkcs11js.CKK_RSA) {
    const modulus = readAttribute(tokenSession, publicKey, pkcs11js.CKA_MODULUS);
    const exponent = readAttribute(tokenSession, publicKey, pkcs11js.CKA_PUBLIC_EXPONENT);
    if (modulus === undefined || exponent === undefined)
      throw new CoreError('PKCS11_ERROR', 'the RSA public key lacks CKA_MODULUS or CKA_PUBLIC_EXPONENT');
    return rsaSpki(modulus, exponent);
  }
  if (keyType === pkcs11js.CKK_EC) {
    const params = readAttribute(tokenSession, publicKey, pkcs11js.CKA_EC_PARAMS);
    if (params === undefined || !params.equals(P256_EC_PARAMS))
      throw new CoreError('PKCS11_ERROR', 'unsupported EC curve: only P-256');
    const point = readAttribute(tokenSession, publicKey, pkcs11js.CKA_EC_POINT);
    if (point === undefined) throw new CoreError('PKCS11_ERROR', 'the EC public key lacks CKA_EC_POINT');
    return p256Spki(point);
  }
  throw new CoreError('PKCS11_ERROR', `unsupported PKCS#11 key type ${keyType ?? 'unknown'}: only RSA and EC P-256`);
}

/** Throws unless the private key is sensitive and not extractable. */
export function assertNonExtractable(tokenSession: TokenSession, privateKey: Handle): void {
  const sensitive = readBool(readAttribute(tokenSession, privateKey, pkcs11js.CKA_SENSITIVE));
  const extractable = readBool(readAttribute(tokenSession, privateKey, pkcs11js.CKA_EXTRACTABLE));
  if (sensitive !== true || extractable !== false) {
    throw new CoreError(
      'PKCS11_ERROR',
      `the token did not make the private key non-extractable (CKA_SENSITIVE=${String(sensitive)}, CKA_EXTRACTABLE=${String(extractable)})`,
    );
  }
}
