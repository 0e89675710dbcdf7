import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { CoreError } from '../errors.ts';
import type { KeyAlgorithm, Signer } from '../signer.ts';

/** A Signer over a private key held in memory (decrypted from a key file by the caller). */
export class KeyFileSigner implements Signer {
  readonly keyAlgorithm: KeyAlgorithm;
  readonly certificateChain: readonly Uint8Array[];
  readonly #key: KeyObject;

  constructor(privateKey: KeyObject | string | Buffer, certificateChain: readonly Uint8Array[], passphrase?: string) {
    this.#key = isKeyObject(privateKey)
      ? privateKey
      : createPrivateKey(passphrase === undefined ? privateKey : { key: privateKey, passphrase });
    if (this.#key.type !== 'private') throw new CoreError('SIGNER_FAILED', 'KeyFileSigner needs a private key');
    const type = this.#key.asymmetricKeyType;
    if (type === 'rsa') this.keyAlgorithm = 'RSA';
    else if (type === 'ec' && this.#key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
      this.keyAlgorithm = 'ECDSA-P256';
    else throw new CoreError('SIGNER_FAILED', `unsupported key type ${type ?? 'unknown'}`);
    if (certificateChain.length === 0) throw new CoreError('SIGNER_FAILED', 'KeyFileSigner needs its certificate');
    this.certificateChain = certificateChain;
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    // 'der' DSA encoding gives the Ecdsa-Sig-Value that CMS wants; RSA ignores it.
    return cryptoSign('sha256', data, { key: this.#key, dsaEncoding: 'der' });
  }
}

function isKeyObject(value: unknown): value is KeyObject {
  return typeof value === 'object' && value !== null && 'asymmetricKeyType' in value && 'export' in value;
}
