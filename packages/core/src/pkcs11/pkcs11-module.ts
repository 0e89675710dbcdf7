import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { realpathSync } from 'node:fs';
import pkcs11js from 'pkcs11js';
import { CoreError } from '../errors.ts';

/** The pkcs11js binding object (a loaded PKCS#11 library). */
export type Pkcs11 = InstanceType<typeof pkcs11js.PKCS11>;
/** A PKCS#11 handle (slot, session, object) as pkcs11js represents it. */
export type Handle = Buffer;

/** Where a token is: by label (preferred: slot IDs of SoftHSM and many HSMs are not stable) or by index among slots with a token. */
export interface TokenSelector {
  libraryPath: string;
  tokenLabel?: string;
  slotIndex?: number;
}

/** An open, logged-in session on a token; `close()` logs out only when no other session of this process still needs the login. */
export interface TokenSession {
  readonly pkcs11: Pkcs11;
  readonly slot: Handle;
  readonly session: Handle;
  readonly tokenLabel: string;
  close(): void;
}

interface LoginState {
  refs: number;
  pinDigest: Buffer;
}

interface ModuleEntry {
  pkcs11: Pkcs11;
  refs: number;
  // false when someone else in this process initialised the library: then finalising is theirs to do.
  ownsInitialize: boolean;
  // PKCS#11 login state is per application and token, not per session, so it is counted here.
  logins: Map<string, LoginState>;
}

const modules = new Map<string, ModuleEntry>();
// Keyed digest of PINs, so a second login attempt can be compared without keeping the PIN itself.
const pinDigestKey = randomBytes(32);

/** Wraps a PKCS#11 failure as CoreError('PKCS11_ERROR') naming the CKR_ code; callers never pass the PIN in `context`. */
export function pkcs11Error(context: string, error: unknown): CoreError {
  if (error instanceof CoreError) return error;
  const ckr = ckrName(error);
  const method = error instanceof pkcs11js.NativeError && error.method ? ` (${error.method})` : '';
  const detail = ckr ?? (error instanceof Error ? error.message : String(error));
  return new CoreError('PKCS11_ERROR', `${context}: ${detail}${method}${ckrHint(ckr)}`, {
    cause: error,
    details: ckr === undefined ? undefined : { ckr },
  });
}

/** The CKR_ name of a pkcs11js error, if it carries one. */
export function ckrName(error: unknown): string | undefined {
  if (error instanceof pkcs11js.Pkcs11Error && /^CKR_\w+$/.test(error.message)) return error.message;
  if (error instanceof Error) return /\b(CKR_[A-Z0-9_]+)\b/.exec(error.message)?.[1];
  return undefined;
}

function ckrHint(ckr: string | undefined): string {
  switch (ckr) {
    case 'CKR_PIN_INCORRECT':
      return ' (wrong PIN)';
    case 'CKR_PIN_LOCKED':
      return ' (PIN locked: too many wrong attempts)';
    case 'CKR_PIN_EXPIRED':
      return ' (PIN expired)';
    case 'CKR_TOKEN_NOT_PRESENT':
      return ' (token not present)';
    case 'CKR_KEY_FUNCTION_NOT_PERMITTED':
      return ' (the key may not be used for this operation)';
    default:
      return '';
  }
}

/** Loads and initialises a PKCS#11 library once per process and counts its users. */
export function acquireModule(libraryPath: string): Pkcs11 {
  const key = canonicalPath(libraryPath);
  const existing = modules.get(key);
  if (existing !== undefined) {
    existing.refs += 1;
    return existing.pkcs11;
  }
  const pkcs11 = new pkcs11js.PKCS11();
  try {
    pkcs11.load(libraryPath);
  } catch (error) {
    throw pkcs11Error(`cannot load PKCS#11 library ${libraryPath}`, error);
  }
  let ownsInitialize = true;
  try {
    // OS locking: signers on different sessions run C_Sign on libuv worker threads concurrently.
    pkcs11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (ckrName(error) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      safely(() => pkcs11.close());
      throw pkcs11Error(`cannot initialise PKCS#11 library ${libraryPath}`, error);
    }
    ownsInitialize = false;
  }
  modules.set(key, { pkcs11, refs: 1, ownsInitialize, logins: new Map() });
  return pkcs11;
}

/** Drops one user of a library; the last one finalises and unloads it. */
export function releaseModule(libraryPath: string): void {
  const key = canonicalPath(libraryPath);
  const entry = modules.get(key);
  if (entry === undefined) return;
  entry.refs -= 1;
  if (entry.refs > 0) return;
  modules.delete(key);
  if (entry.ownsInitialize) safely(() => entry.pkcs11.C_Finalize());
  safely(() => entry.pkcs11.close());
}

/** Finds the slot holding the token named by label, or the n-th slot with a token present. */
export function findSlot(pkcs11: Pkcs11, selector: TokenSelector): { slot: Handle; tokenLabel: string } {
  let slots: Handle[];
  try {
    slots = pkcs11.C_GetSlotList(true);
  } catch (error) {
    throw pkcs11Error('cannot list PKCS#11 slots', error);
  }
  const labelled = slots.map((slot) => ({ slot, tokenLabel: tokenLabelOf(pkcs11, slot) }));
  if (selector.tokenLabel !== undefined) {
    const matches = labelled.filter((s) => s.tokenLabel === selector.tokenLabel);
    if (matches.length === 0)
      throw new CoreError('PKCS11_ERROR', `no PKCS#11 token labelled "${selector.tokenLabel}" (CKR_TOKEN_NOT_PRESENT)`);
    if (matches.length > 1)
      throw new CoreError(
        'PKCS11_ERROR',
        `${matches.length} PKCS#11 tokens are labelled "${selector.tokenLabel}"; use slotIndex`,
      );
    return matches[0];
  }
  if (selector.slotIndex !== undefined) {
    const found = labelled[selector.slotIndex];
    if (!Number.isInteger(selector.slotIndex) || found === undefined) {
      throw new CoreError(
        'PKCS11_ERROR',
        `no PKCS#11 slot with a token at index ${selector.slotIndex} (${slots.length} present)`,
      );
    }
    return found;
  }
  throw new CoreError('PKCS11_ERROR', 'PKCS#11 token not specified: give tokenLabel or slotIndex');
}

function tokenLabelOf(pkcs11: Pkcs11, slot: Handle): string {
  try {
    // Labels are blank-padded to 32 bytes.
    return pkcs11.C_GetTokenInfo(slot).label.replace(/[ \0]+$/, '');
  } catch {
    return '';
  }
}

/** Opens a session on the token and logs the user in (a read-only session unless `readWrite`). */
export function openTokenSession(selector: TokenSelector & { pin: string; readWrite?: boolean }): TokenSession {
  const pkcs11 = acquireModule(selector.libraryPath);
  let session: Handle | undefined;
  try {
    const { slot, tokenLabel } = findSlot(pkcs11, selector);
    const flags = pkcs11js.CKF_SERIAL_SESSION | (selector.readWrite === true ? pkcs11js.CKF_RW_SESSION : 0);
    try {
      session = pkcs11.C_OpenSession(slot, flags);
    } catch (error) {
      throw pkcs11Error(`cannot open a session on PKCS#11 token "${tokenLabel}"`, error);
    }
    const opened = session;
    login(selector.libraryPath, pkcs11, slot, opened, tokenLabel, selector.pin);
    let closed = false;
    return {
      pkcs11,
      slot,
      session: opened,
      tokenLabel,
      close() {
        if (closed) return;
        closed = true;
        logout(selector.libraryPath, pkcs11, slot, opened);
        safely(() => pkcs11.C_CloseSession(opened));
        releaseModule(selector.libraryPath);
      },
    };
  } catch (error) {
    const opened = session;
    if (opened !== undefined) safely(() => pkcs11.C_CloseSession(opened));
    releaseModule(selector.libraryPath);
    throw error;
  }
}

function login(
  libraryPath: string,
  pkcs11: Pkcs11,
  slot: Handle,
  session: Handle,
  tokenLabel: string,
  pin: string,
): void {
  const entry = modules.get(canonicalPath(libraryPath));
  if (entry === undefined) throw new CoreError('PKCS11_ERROR', 'PKCS#11 library was released during login');
  const slotKey = slot.toString('hex');
  const digest = createHmac('sha256', pinDigestKey).update(pin, 'utf8').digest();
  try {
    pkcs11.C_Login(session, pkcs11js.CKU_USER, pin);
  } catch (error) {
    if (ckrName(error) !== 'CKR_USER_ALREADY_LOGGED_IN') {
      throw pkcs11Error(`PKCS#11 login to token "${tokenLabel}" failed`, error);
    }
    // The token accepts no PIN check once this process is logged in, so compare with the PIN that logged in;
    // otherwise any PIN would be accepted while another signer holds the login.
    const state = entry.logins.get(slotKey);
    if (state !== undefined && !timingSafeEqual(state.pinDigest, digest)) {
      throw new CoreError(
        'PKCS11_ERROR',
        `PKCS#11 login to token "${tokenLabel}" refused: CKR_USER_ALREADY_LOGGED_IN with a different PIN (wrong PIN)`,
        {
          details: { ckr: 'CKR_USER_ALREADY_LOGGED_IN' },
        },
      );
    }
  }
  const state = entry.logins.get(slotKey);
  if (state === undefined) entry.logins.set(slotKey, { refs: 1, pinDigest: digest });
  else state.refs += 1;
}

function logout(libraryPath: string, pkcs11: Pkcs11, slot: Handle, session: Handle): void {
  const entry = modules.get(canonicalPath(libraryPath));
  const slotKey = slot.toString('hex');
  const state = entry?.logins.get(slotKey);
  if (entry === undefined || state === undefined) return;
  state.refs -= 1;
  if (state.refs > 0) return;
  entry.logins.delete(slotKey);
  // C_Logout ends the login of every session of this process on the token, hence only for the last one.
  safely(() => pkcs11.C_Logout(session));
}

/** Finds exactly one object of a class by label and/or CKA_ID. */
export function findObject(
  tokenSession: TokenSession,
  objectClass: number,
  selector: { keyLabel?: string; keyId?: Uint8Array },
): Handle | undefined {
  const { pkcs11, session } = tokenSession;
  const template: { type: number; value: number | string | Buffer }[] = [
    { type: pkcs11js.CKA_CLASS, value: objectClass },
  ];
  if (selector.keyLabel !== undefined) template.push({ type: pkcs11js.CKA_LABEL, value: selector.keyLabel });
  if (selector.keyId !== undefined) template.push({ type: pkcs11js.CKA_ID, value: Buffer.from(selector.keyId) });
  let found: Handle[];
  try {
    pkcs11.C_FindObjectsInit(session, template);
    try {
      found = pkcs11.C_FindObjects(session, 2);
    } finally {
      pkcs11.C_FindObjectsFinal(session);
    }
  } catch (error) {
    throw pkcs11Error(`cannot search PKCS#11 token "${tokenSession.tokenLabel}"`, error);
  }
  if (found.length > 1) {
    throw new CoreError(
      'PKCS11_ERROR',
      `more than one key matches ${describeKey(selector)} on token "${tokenSession.tokenLabel}"; give both keyLabel and keyId`,
    );
  }
  return found[0];
}

/** Human description of a key selector for error messages. */
export function describeKey(selector: { keyLabel?: string; keyId?: Uint8Array }): string {
  const parts: string[] = [];
  if (selector.keyLabel !== undefined) parts.push(`label "${selector.keyLabel}"`);
  if (selector.keyId !== undefined) parts.push(`id ${Buffer.from(selector.keyId).toString('hex')}`);
  return parts.join(' and ');
}

/** Reads one attribute; undefined when the token says it is absent or unreadable. */
export function readAttribute(tokenSession: TokenSession, object: Handle, type: number): Buffer | undefined {
  try {
    return tokenSession.pkcs11.C_GetAttributeValue(tokenSession.session, object, [{ type }])[0]?.value;
  } catch (error) {
    const ckr = ckrName(error);
    if (ckr === 'CKR_ATTRIBUTE_TYPE_INVALID' || ckr === 'CKR_ATTRIBUTE_SENSITIVE') return undefined;
    throw pkcs11Error('cannot read a PKCS#11 attribute', error);
  }
}

/** Decodes a CK_ULONG attribute (native byte order, 4 or 8 bytes). */
export function readUlong(value: Buffer): number {
  if (value.length === 8) return Number(value.readBigUInt64LE(0));
  if (value.length === 4) return value.readUInt32LE(0);
  throw new CoreError('PKCS11_ERROR', `unexpected CK_ULONG of ${value.length} bytes`);
}

/** Decodes a CK_BBOOL attribute. */
export function readBool(value: Buffer | undefined): boolean | undefined {
  return value === undefined || value.length === 0 ? undefined : value[0] !== 0;
}

/** Accepts a key id as bytes or hex. */
export function keyIdBytes(keyId: Uint8Array | string | undefined): Uint8Array | undefined {
  if (keyId === undefined || keyId instanceof Uint8Array) return keyId;
  const hex = keyId.replace(/^0x/i, '');
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex))
    throw new CoreError('PKCS11_ERROR', 'keyId must be bytes or an even-length hex string');
  return Buffer.from(hex, 'hex');
}

function canonicalPath(libraryPath: string): string {
  try {
    return realpathSync(libraryPath);
  } catch {
    return libraryPath;
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Best effort during teardown: the original error (if any) matters more.
  }
}
