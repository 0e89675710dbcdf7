/**
 * A PKCS#12 (RFC 7292) reader: the private key and certificates of a .p12/.pfx file, as CAs and
 * operating systems export them. Node has no PKCS#12 API, so the structure is read with the core's DER
 * reader and decrypted with node:crypto: PBES2 (PBKDF2 + AES or 3DES, what OpenSSL 3 writes) and the
 * legacy PKCS#12 PBE schemes (SHA-1 + 3DES or RC2, what older tools and Windows write). The integrity
 * MAC is checked before anything is decrypted. Sizes, counts and iteration counts are bounded.
 */
import {
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  pbkdf2Sync,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { concat } from '../asn1/bytes.ts';
import {
  BER,
  decodeOid,
  decodeSmallInteger,
  DerError,
  expectTag,
  octetStringValue,
  readDer,
  type DerNode,
} from '../asn1/der-reader.ts';
import { TAG } from '../asn1/der-writer.ts';
import { CoreError } from '../errors.ts';
import { rc2CbcDecrypt } from './rc2.ts';

/** Bounds of what a PKCS#12 file may hold. */
export const PKCS12_LIMITS = Object.freeze({
  /** Largest file accepted (a key and a chain of a few certificates is well under 20 kB). */
  bytes: 128 * 1024,
  /** Bags of every kind, nested ones included. */
  bags: 64,
  /** Key derivation iterations (OpenSSL writes 2048; some tools 10,000–600,000). */
  iterations: 1_000_000,
});

/** What a PKCS#12 file held. */
export interface Pkcs12Contents {
  /** The private key (there must be exactly one). */
  privateKey: KeyObject;
  /** Every certificate of the file (DER), in file order. */
  certificates: Uint8Array[];
}

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
} as const;

// Legacy PKCS#12 PBE (RFC 7292 appendix C): key length, IV length and cipher.
const PKCS12_PBE: Record<
  string,
  { keyLength: number; ivLength: number; cipher: 'des-ede3-cbc' | 'des-ede-cbc' | 'rc2' }
> = {
  '1.2.840.113549.1.12.1.3': { keyLength: 24, ivLength: 8, cipher: 'des-ede3-cbc' },
  '1.2.840.113549.1.12.1.4': { keyLength: 16, ivLength: 8, cipher: 'des-ede-cbc' },
  '1.2.840.113549.1.12.1.5': { keyLength: 16, ivLength: 8, cipher: 'rc2' },
  '1.2.840.113549.1.12.1.6': { keyLength: 5, ivLength: 8, cipher: 'rc2' },
};

const PBES2_CIPHERS: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
};

const HMAC_PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

// Digests of the MAC (with the PKCS#12 KDF): output length u and block length v.
const MAC_DIGESTS: Record<string, { name: string; u: number; v: number }> = {
  '1.3.14.3.2.26': { name: 'sha1', u: 20, v: 64 },
  '2.16.840.1.101.3.4.2.4': { name: 'sha224', u: 28, v: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', u: 32, v: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', u: 48, v: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', u: 64, v: 128 },
};

/**
 * Reads a PKCS#12 file with its password. Throws CoreError PKCS12_INVALID (not PKCS#12, malformed, too
 * large, no key or several), PKCS12_BAD_PASSWORD (the MAC or a decryption fails) or PKCS12_UNSUPPORTED
 * (an algorithm this reader does not know, e.g. public-key privacy mode).
 */
export function readPkcs12(bytes: Uint8Array, password: string): Pkcs12Contents {
  if (bytes.length > PKCS12_LIMITS.bytes)
    throw new CoreError('PKCS12_INVALID', `the PKCS#12 file is larger than ${PKCS12_LIMITS.bytes} bytes`);
  try {
    return read(bytes, password);
  } catch (error) {
    if (error instanceof CoreError) throw error;
    if (error instanceof DerError || error instanceof RangeError)
      throw new CoreError('PKCS12_INVALID', `not a PKCS#12 file: ${error.message}`, { cause: error });
    throw error;
  }
}

function read(bytes: Uint8Array, password: string): Pkcs12Contents {
  const pfx = expectTag(readDer(bytes, BER), TAG.sequence, 'PFX').children();
  if (decodeSmallInteger(pfx[0]) !== 3) throw new CoreError('PKCS12_INVALID', 'not a PKCS#12 version 3 file');
  const authSafe = contentInfo(pfx[1]);
  if (authSafe.type !== OIDS.data)
    throw new CoreError('PKCS12_UNSUPPORTED', 'public-key integrity mode is not supported (password integrity only)');
  const authSafeBytes = octetStringValue(authSafe.content);
  if (pfx[2]) checkMac(pfx[2], authSafeBytes, password);

  const state = { bags: 0, keys: [] as KeyObject[], certificates: [] as Uint8Array[] };
  for (const node of expectTag(readDer(authSafeBytes, BER), TAG.sequence, 'AuthenticatedSafe').children()) {
    const info = contentInfo(node);
    if (info.type === OIDS.data) readSafeContents(octetStringValue(info.content), password, state);
    else if (info.type === OIDS.encryptedData)
      readSafeContents(decryptEncryptedData(info.content, password), password, state);
    else throw new CoreError('PKCS12_UNSUPPORTED', 'public-key privacy mode (enveloped data) is not supported');
  }
  if (state.keys.length === 0) throw new CoreError('PKCS12_INVALID', 'the PKCS#12 file holds no private key');
  if (state.keys.length > 1) throw new CoreError('PKCS12_INVALID', 'the PKCS#12 file holds more than one private key');
  return { privateKey: state.keys[0], certificates: state.certificates };
}

function contentInfo(node: DerNode | undefined): { type: string; content: DerNode } {
  const parts = expectTag(node, TAG.sequence, 'ContentInfo').children();
  const explicit = expectTag(parts[1], 0xa0, 'ContentInfo content');
  const inner = explicit.children()[0];
  if (!inner) throw new DerError('empty ContentInfo content');
  return { type: decodeOid(parts[0]), content: inner };
}

function checkMac(node: DerNode, authSafeBytes: Uint8Array, password: string): void {
  const [digestInfo, saltNode, iterationsNode] = expectTag(node, TAG.sequence, 'MacData').children();
  const [algorithm, macValue] = expectTag(digestInfo, TAG.sequence, 'DigestInfo').children();
  const digestOid = decodeOid(expectTag(algorithm, TAG.sequence, 'AlgorithmIdentifier').children()[0]);
  const digest = MAC_DIGESTS[digestOid];
  if (!digest) throw new CoreError('PKCS12_UNSUPPORTED', `MAC digest ${digestOid} is not supported`);
  const iterations = iterationsNode ? boundedIterations(iterationsNode) : 1;
  const salt = octetStringValue(saltNode);
  const key = pkcs12Kdf(digest, bmpPassword(password), salt, 3, iterations, digest.u);
  const expected = createHmac(digest.name, key).update(authSafeBytes).digest();
  const given = octetStringValue(macValue);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new CoreError('PKCS12_BAD_PASSWORD', 'the password is wrong (the PKCS#12 integrity check failed)');
}

function readSafeContents(
  bytes: Uint8Array,
  password: string,
  state: { bags: number; keys: KeyObject[]; certificates: Uint8Array[] },
): void {
  for (const bag of expectTag(readDer(bytes, BER), TAG.sequence, 'SafeContents').children()) {
    state.bags += 1;
    if (state.bags > PKCS12_LIMITS.bags) throw new CoreError('PKCS12_INVALID', 'the PKCS#12 file holds too many items');
    const parts = expectTag(bag, TAG.sequence, 'SafeBag').children();
    const type = decodeOid(parts[0]);
    const value = expectTag(parts[1], 0xa0, 'bagValue').children()[0];
    if (!value) throw new DerError('empty bagValue');
    if (type === OIDS.keyBag) state.keys.push(privateKeyOf(value.raw));
    else if (type === OIDS.shroudedKeyBag) {
      const [algorithm, encrypted] = expectTag(value, TAG.sequence, 'EncryptedPrivateKeyInfo').children();
      state.keys.push(privateKeyOf(decrypt(algorithm, octetStringValue(encrypted), password)));
    } else if (type === OIDS.certBag) {
      const [certType, certValue] = expectTag(value, TAG.sequence, 'CertBag').children();
      // Other certificate types (SDSI) and CRL or secret bags are not needed for signing.
      if (decodeOid(certType) === OIDS.x509Certificate)
        state.certificates.push(
          new Uint8Array(octetStringValue(expectTag(certValue, 0xa0, 'certValue').children()[0])),
        );
    } else if (type === OIDS.safeContentsBag) readSafeContents(value.raw, password, state);
  }
}

function privateKeyOf(pkcs8: Uint8Array): KeyObject {
  try {
    return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new CoreError('PKCS12_BAD_PASSWORD', 'the private key cannot be read (wrong password or damaged file)', {
      cause,
    });
  }
}

function decryptEncryptedData(node: DerNode, password: string): Uint8Array {
  const parts = expectTag(node, TAG.sequence, 'EncryptedData').children();
  const [, algorithm, encrypted] = expectTag(parts[1], TAG.sequence, 'EncryptedContentInfo').children();
  if (!encrypted || encrypted.tagClass !== 'context' || encrypted.tagNumber !== 0)
    throw new DerError('EncryptedContentInfo without encryptedContent');
  // [0] IMPLICIT OCTET STRING: primitive, or constructed from OCTET STRING segments (BER).
  const ciphertext = encrypted.constructed ? concat(encrypted.children().map(octetStringValue)) : encrypted.content;
  return decrypt(algorithm, ciphertext, password);
}

/** Decrypts with a password-based scheme: PBES2 or a PKCS#12 PBE. */
function decrypt(algorithmNode: DerNode | undefined, ciphertext: Uint8Array, password: string): Uint8Array {
  const [oidNode, params] = expectTag(algorithmNode, TAG.sequence, 'AlgorithmIdentifier').children();
  const oid = decodeOid(oidNode);
  const legacy = PKCS12_PBE[oid];
  if (legacy) {
    const [saltNode, iterationsNode] = expectTag(params, TAG.sequence, 'PBEParameter').children();
    const salt = octetStringValue(saltNode);
    const iterations = boundedIterations(iterationsNode);
    const sha1 = MAC_DIGESTS['1.3.14.3.2.26'];
    const pass = bmpPassword(password);
    const key = pkcs12Kdf(sha1, pass, salt, 1, iterations, legacy.keyLength);
    const iv = pkcs12Kdf(sha1, pass, salt, 2, iterations, legacy.ivLength);
    if (legacy.cipher === 'rc2') return unpad(rc2CbcDecrypt(key, legacy.keyLength * 8, iv, ciphertext));
    return decipher(legacy.cipher, key, iv, ciphertext);
  }
  if (oid !== OIDS.pbes2) throw new CoreError('PKCS12_UNSUPPORTED', `encryption algorithm ${oid} is not supported`);
  const [kdf, scheme] = expectTag(params, TAG.sequence, 'PBES2-params').children();
  const [kdfOid, kdfParams] = expectTag(kdf, TAG.sequence, 'keyDerivationFunc').children();
  if (decodeOid(kdfOid) !== OIDS.pbkdf2) throw new CoreError('PKCS12_UNSUPPORTED', 'only PBKDF2 is supported in PBES2');
  const [schemeOid, ivNode] = expectTag(scheme, TAG.sequence, 'encryptionScheme').children();
  const cipher = PBES2_CIPHERS[decodeOid(schemeOid)];
  if (!cipher) throw new CoreError('PKCS12_UNSUPPORTED', `PBES2 cipher ${decodeOid(schemeOid)} is not supported`);
  const kdfParts = expectTag(kdfParams, TAG.sequence, 'PBKDF2-params').children();
  const salt = octetStringValue(kdfParts[0]);
  const iterations = boundedIterations(kdfParts[1]);
  let prf = 'sha1';
  for (const optional of kdfParts.slice(2)) {
    if (optional.tag === TAG.sequence) {
      const prfOid = decodeOid(optional.children()[0]);
      const name = HMAC_PRFS[prfOid];
      if (!name) throw new CoreError('PKCS12_UNSUPPORTED', `PBKDF2 PRF ${prfOid} is not supported`);
      prf = name;
    }
  }
  // PBES2 takes the password as UTF-8 octets (RFC 8018), unlike the PKCS#12 KDF's BMPString.
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.keyLength, prf);
  return decipher(cipher.name, key, octetStringValue(ivNode), ciphertext);
}

function decipher(name: string, key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  try {
    const d = createDecipheriv(name, key, iv);
    return new Uint8Array(Buffer.concat([d.update(ciphertext), d.final()]));
  } catch (cause) {
    throw new CoreError('PKCS12_BAD_PASSWORD', 'the PKCS#12 contents cannot be decrypted (wrong password?)', { cause });
  }
}

/** Removes PKCS#7 padding; bad padding means a wrong key. */
function unpad(plain: Uint8Array): Uint8Array {
  const n = plain[plain.length - 1];
  if (plain.length === 0 || n === undefined || n < 1 || n > 8 || plain.subarray(plain.length - n).some((b) => b !== n))
    throw new CoreError('PKCS12_BAD_PASSWORD', 'the PKCS#12 contents cannot be decrypted (wrong password?)');
  return plain.subarray(0, plain.length - n);
}

function boundedIterations(node: DerNode | undefined): number {
  const n = decodeSmallInteger(node);
  if (n < 1 || n > PKCS12_LIMITS.iterations)
    throw new CoreError('PKCS12_INVALID', `iteration count ${n} is outside 1…${PKCS12_LIMITS.iterations}`);
  return n;
}

/** The password as the PKCS#12 KDF takes it: BMPString (UTF-16 big-endian) with a terminating zero. */
function bmpPassword(password: string): Uint8Array {
  const out = new Uint8Array((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) {
    const unit = password.charCodeAt(i);
    out[2 * i] = unit >> 8;
    out[2 * i + 1] = unit & 0xff;
  }
  return out;
}

/** The PKCS#12 key derivation function (RFC 7292 appendix B.2); id 1 = key, 2 = IV, 3 = MAC key. */
function pkcs12Kdf(
  digest: { name: string; u: number; v: number },
  password: Uint8Array,
  salt: Uint8Array,
  id: number,
  iterations: number,
  length: number,
): Uint8Array {
  const { u, v } = digest;
  const fill = (source: Uint8Array): Uint8Array => {
    const out = new Uint8Array(source.length === 0 ? 0 : v * Math.ceil(source.length / v));
    for (let i = 0; i < out.length; i++) out[i] = source[i % source.length];
    return out;
  };
  const D = new Uint8Array(v).fill(id);
  const I = concat([fill(salt), fill(password)]);
  const out = new Uint8Array(Math.ceil(length / u) * u);
  for (let block = 0; block * u < length; block++) {
    let A: Uint8Array = createHash(digest.name).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(digest.name).update(A).digest();
    out.set(A, block * u);
    if ((block + 1) * u >= length) break;
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I, B being A repeated to v bytes.
    const B = fill(A);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k] + B[k] + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return out.subarray(0, length);
}
