import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { CoreError } from '../errors.ts';
import {
  findObject,
  openTokenSession,
  pkcs11Error,
  readAttribute,
  readBool,
  type Handle,
  type TokenSelector,
  type TokenSession,
} from './pkcs11-module.ts';

const IV_BYTES = 12;
const TAG_BITS = 128;
/** Upper bound of what is sealed here (data keys are 32 bytes): the output buffer is sized from it. */
const MAX_PLAINTEXT = 1024;

/** Options of Pkcs11AesKeys.open. */
export interface Pkcs11AesKeysOptions extends TokenSelector {
  pin: string;
}

/**
 * AES-256 secret keys that live inside a token (an HSM; SoftHSM2 in tests) and seal small secrets with
 * CKM_AES_GCM: the key never leaves the token (sensitive, not extractable), only ciphertext does. A
 * sealed value is IV (12) | ciphertext | tag (16); `aad` binds it to its purpose and owner.
 */
export class Pkcs11AesKeys {
  readonly #session: TokenSession;
  readonly #handles = new Map<string, Handle>();
  // One operation at a time per session (PKCS#11 sessions are single-threaded).
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(session: TokenSession) {
    this.#session = session;
  }

  /** Opens a read-write, logged-in session on the token. */
  static open(options: Pkcs11AesKeysOptions): Pkcs11AesKeys {
    return new Pkcs11AesKeys(openTokenSession({ ...options, readWrite: true }));
  }

  /** The token's label. */
  get tokenLabel(): string {
    return this.#session.tokenLabel;
  }

  /** Whether a secret key with this label is on the token. */
  has(label: string): boolean {
    return this.#find(label) !== undefined;
  }

  /**
   * Generates an AES-256 key on the token under a new label: a token object, private, sensitive, never
   * extractable, allowed to encrypt and decrypt only. Refuses a label that is already used.
   */
  generate(label: string): void {
    if (this.#find(label) !== undefined)
      throw new CoreError('PKCS11_ERROR', `a key labelled "${label}" already exists on token "${this.tokenLabel}"`);
    const { pkcs11, session } = this.#session;
    let handle: Handle;
    try {
      handle = pkcs11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_ENCRYPT, value: true },
        { type: pkcs11js.CKA_DECRYPT, value: true },
        { type: pkcs11js.CKA_WRAP, value: false },
        { type: pkcs11js.CKA_UNWRAP, value: false },
        { type: pkcs11js.CKA_SIGN, value: false },
        { type: pkcs11js.CKA_VERIFY, value: false },
        { type: pkcs11js.CKA_DERIVE, value: false },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      ]);
    } catch (error) {
      throw pkcs11Error(`cannot generate an AES key on token "${this.tokenLabel}"`, error);
    }
    const sensitive = readBool(readAttribute(this.#session, handle, pkcs11js.CKA_SENSITIVE));
    const extractable = readBool(readAttribute(this.#session, handle, pkcs11js.CKA_EXTRACTABLE));
    if (sensitive !== true || extractable !== false) {
      try {
        pkcs11.C_DestroyObject(session, handle);
      } catch {
        /* already failing */
      }
      throw new CoreError('PKCS11_ERROR', 'the token did not make the AES key non-extractable');
    }
    this.#handles.set(label, handle);
  }

  /** Destroys the key with this label (nothing when there is none). */
  destroy(label: string): void {
    const handle = this.#find(label);
    if (handle === undefined) return;
    try {
      this.#session.pkcs11.C_DestroyObject(this.#session.session, handle);
    } catch (error) {
      throw pkcs11Error(`cannot destroy the key "${label}" on token "${this.tokenLabel}"`, error);
    }
    this.#handles.delete(label);
  }

  /** Seals `plaintext` (≤ 1 KiB) under the key `label` with AES-GCM bound to `aad`. */
  async seal(label: string, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    if (plaintext.length > MAX_PLAINTEXT) throw new CoreError('PKCS11_ERROR', 'plaintext too long to seal');
    const iv = randomBytes(IV_BYTES);
    const out = await this.#run(label, 'encrypt', iv, aad, Buffer.from(plaintext));
    return Buffer.concat([iv, out]);
  }

  /** Opens what `seal` produced; a changed value, another aad or another key fails (PKCS11_ERROR). */
  async open(label: string, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    if (sealed.length < IV_BYTES + TAG_BITS / 8 || sealed.length > MAX_PLAINTEXT + IV_BYTES + TAG_BITS / 8)
      throw new CoreError('PKCS11_ERROR', 'sealed value of impossible length');
    const bytes = Buffer.from(sealed);
    return this.#run(label, 'decrypt', bytes.subarray(0, IV_BYTES), aad, bytes.subarray(IV_BYTES));
  }

  /** Logs out and closes the session. */
  close(): void {
    this.#handles.clear();
    this.#session.close();
  }

  #run(label: string, direction: 'encrypt' | 'decrypt', iv: Buffer, aad: Uint8Array, data: Buffer): Promise<Buffer> {
    const step = this.#queue.then(() => this.#once(label, direction, iv, aad, data));
    this.#queue = step.catch(() => undefined);
    return step;
  }

  async #once(
    label: string,
    direction: 'encrypt' | 'decrypt',
    iv: Buffer,
    aad: Uint8Array,
    data: Buffer,
  ): Promise<Buffer> {
    const handle = this.#find(label);
    if (handle === undefined)
      throw new CoreError('PKCS11_ERROR', `no key labelled "${label}" on token "${this.tokenLabel}"`);
    const { pkcs11, session } = this.#session;
    const mechanism = {
      mechanism: pkcs11js.CKM_AES_GCM,
      parameter: {
        type: pkcs11js.CK_PARAMS_AES_GCM,
        iv,
        aad: Buffer.from(aad),
        ivBits: IV_BYTES * 8,
        tagBits: TAG_BITS,
      },
    };
    const output = Buffer.alloc(data.length + TAG_BITS / 8);
    try {
      if (direction === 'encrypt') {
        pkcs11.C_EncryptInit(session, mechanism, handle);
        return await new Promise<Buffer>((resolve, reject) =>
          pkcs11.C_Encrypt(session, data, output, (error, result) => (error ? reject(error) : resolve(result))),
        );
      }
      pkcs11.C_DecryptInit(session, mechanism, handle);
      return await new Promise<Buffer>((resolve, reject) =>
        pkcs11.C_Decrypt(session, data, output, (error, result) => (error ? reject(error) : resolve(result))),
      );
    } catch (error) {
      throw pkcs11Error(`AES-GCM ${direction} with the key "${label}" failed`, error);
    }
  }

  #find(label: string): Handle | undefined {
    const known = this.#handles.get(label);
    if (known !== undefined) return known;
    const found = findObject(this.#session, pkcs11js.CKO_SECRET_KEY, { keyLabel: label });
    if (found !== undefined) this.#handles.set(label, found);
    return found;
  }
}
