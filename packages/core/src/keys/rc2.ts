/**
 * RC2 decryption in CBC mode (RFC 2268), only for reading legacy PKCS#12 files (pbeWithSHAAnd40BitRC2-CBC
 * is what Windows and `openssl pkcs12 -legacy` use for certificates). OpenSSL 3 keeps RC2 in its legacy
 * provider, which Node does not load, so the cipher is written out here. Never used to encrypt.
 */

// RFC 2268 §2: the permutation of 0..255 derived from the digits of pi.
const PITABLE = Uint8Array.from(
  Buffer.from(
    'd978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2179a59f587b34f1361456d8d09817d32' +
      'bd8f40eb86b77b0bf09521225c6b4e8254d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626' +
      '6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed708e8eade8052eef784aa72ac354d6a2a' +
      '961ad2715a1549744b9fd05e0418a4ecc2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731' +
      '2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a90d38341bab33ffb0bb480c5fb9b1cd2e' +
      'c5f3db47e5a59c770aa62068fe7fc1ad',
    'hex',
  ),
);

/** The 64 expanded key words for `key` with `effectiveBits` (RFC 2268 §2). */
export function rc2ExpandKey(key: Uint8Array, effectiveBits: number): Uint16Array {
  if (key.length < 1 || key.length > 128) throw new RangeError('RC2 key length must be 1…128 bytes');
  const L = new Uint8Array(128);
  L.set(key);
  const T = key.length;
  const T8 = Math.ceil(effectiveBits / 8);
  const TM = 0xff >> (8 * T8 - effectiveBits);
  for (let i = T; i < 128; i++) L[i] = PITABLE[(L[i - 1] + L[i - T]) & 0xff];
  L[128 - T8] = PITABLE[L[128 - T8] & TM];
  for (let i = 127 - T8; i >= 0; i--) L[i] = PITABLE[L[i + 1] ^ L[i + T8]];
  const K = new Uint16Array(64);
  for (let i = 0; i < 64; i++) K[i] = L[2 * i] | (L[2 * i + 1] << 8);
  return K;
}

const SHIFTS = [1, 2, 3, 5];

/** Decrypts one 8-byte block in place (RFC 2268 §4). */
function decryptBlock(K: Uint16Array, block: Uint8Array): void {
  const R = new Uint16Array(4);
  for (let i = 0; i < 4; i++) R[i] = block[2 * i] | (block[2 * i + 1] << 8);
  let j = 63;
  const mixRound = () => {
    for (let i = 3; i >= 0; i--) {
      const s = SHIFTS[i];
      R[i] = ((R[i] >>> s) | (R[i] << (16 - s))) & 0xffff;
      R[i] = R[i] - K[j--] - (R[(i + 3) & 3] & R[(i + 2) & 3]) - (~R[(i + 3) & 3] & R[(i + 1) & 3]);
    }
  };
  const mashRound = () => {
    for (let i = 3; i >= 0; i--) R[i] = R[i] - K[R[(i + 3) & 3] & 63];
  };
  for (let n = 0; n < 5; n++) mixRound();
  mashRound();
  for (let n = 0; n < 6; n++) mixRound();
  mashRound();
  for (let n = 0; n < 5; n++) mixRound();
  for (let i = 0; i < 4; i++) {
    block[2 * i] = R[i] & 0xff;
    block[2 * i + 1] = R[i] >> 8;
  }
}

/** One block decrypted without chaining (for the RFC 2268 test vectors). */
export function rc2DecryptBlock(key: Uint8Array, effectiveBits: number, block: Uint8Array): Uint8Array {
  const out = new Uint8Array(block);
  decryptBlock(rc2ExpandKey(key, effectiveBits), out);
  return out;
}

/** RC2-CBC decryption; the padding is left for the caller to check and remove. */
export function rc2CbcDecrypt(
  key: Uint8Array,
  effectiveBits: number,
  iv: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array {
  if (ciphertext.length === 0 || ciphertext.length % 8 !== 0 || iv.length !== 8)
    throw new RangeError('RC2-CBC ciphertext must be whole 8-byte blocks');
  const K = rc2ExpandKey(key, effectiveBits);
  const out = new Uint8Array(ciphertext);
  for (let offset = 0; offset < out.length; offset += 8) {
    const block = out.subarray(offset, offset + 8);
    decryptBlock(K, block);
    const previous = offset === 0 ? iv : ciphertext.subarray(offset - 8, offset);
    for (let k = 0; k < 8; k++) block[k] ^= previous[k];
  }
  return out;
}
