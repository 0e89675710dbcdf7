import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { AppError } from '../app-error.ts';
import { inBothLanguages } from '@inkan/core/messages';
import type { DbOrTx } from '../../ports/database.ts';

/** At most this many ranges in one organisation's list. */
export const MAX_ALLOW_LIST_ENTRIES = 100;

/**
 * The client address as a plain IPv4 or IPv6 string: an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`,
 * what a dual-stack socket reports) becomes its IPv4 form, so that one IPv4 range covers both.
 */
export function normalizeAddress(address: string): string {
  const lower = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  return lower;
}

function invalidEntry(index: number, entry: string): AppError {
  const shown = entry.slice(0, 64);
  return new AppError(
    'VALIDATION_FAILED',
    `ipAllowList[${index}] is not an IPv4 or IPv6 address or CIDR range`,
    { field: `ipAllowList[${index}]` },
    inBothLanguages('error.VALIDATION_FAILED.ipAllowList.entry', { entry: shown }),
  );
}

/** One entry (`203.0.113.0/24`, `2001:db8::/32`, or a single address) as [address, prefix, family], or undefined. */
function parseEntry(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [rawAddress, rawPrefix, ...rest] = entry.split('/');
  if (rest.length > 0 || rawAddress === undefined) return undefined;
  const address = normalizeAddress(rawAddress);
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (!family) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  if (rawPrefix === undefined) return { address, prefix: max, family };
  if (!/^\d{1,3}$/.test(rawPrefix)) return undefined;
  const prefix = Number(rawPrefix);
  if (prefix > max) return undefined;
  return { address, prefix, family };
}

/** The IPv4 network address of a range (host bits cleared), so that the stored list says what it covers. */
function ipv4Network(address: string, prefix: number): string {
  const value = address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  const mask = prefix === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - prefix)) - 1n);
  const network = value & mask;
  return [24n, 16n, 8n, 0n].map((shift) => String((network >> shift) & 255n)).join('.');
}

/**
 * Validates and normalises an allow-list typed by an administrator: trimmed, duplicates removed, IPv4
 * ranges written as their network (`10.1.2.3/8` → `10.0.0.0/8`), single addresses as /32 or /128.
 * Throws VALIDATION_FAILED (with the entry in both languages) for anything else.
 */
export function parseAllowList(input: unknown): string[] {
  if (!Array.isArray(input))
    throw new AppError('VALIDATION_FAILED', 'ipAllowList must be a list', { field: 'ipAllowList' });
  if (input.length > MAX_ALLOW_LIST_ENTRIES)
    throw new AppError(
      'VALIDATION_FAILED',
      `at most ${MAX_ALLOW_LIST_ENTRIES} ranges`,
      { field: 'ipAllowList' },
      inBothLanguages('error.VALIDATION_FAILED.ipAllowList.max', { max: MAX_ALLOW_LIST_ENTRIES }),
    );
  const out: string[] = [];
  input.forEach((raw, index) => {
    if (typeof raw !== 'string' || raw.length > 64) throw invalidEntry(index, String(raw));
    const entry = raw.trim();
    const parsed = parseEntry(entry);
    if (!parsed) throw invalidEntry(index, entry);
    const network = parsed.family === 'ipv4' ? ipv4Network(parsed.address, parsed.prefix) : parsed.address;
    const normalized = `${network}/${parsed.prefix}`;
    if (!out.includes(normalized)) out.push(normalized);
  });
  return out;
}

/** Whether an address is inside one of the ranges; an empty list allows every address. */
export function addressAllowed(list: readonly string[], address: string | null | undefined): boolean {
  if (list.length === 0) return true;
  if (!address) return false;
  const client = normalizeAddress(address);
  const family = isIPv4(client) ? 'ipv4' : isIPv6(client) ? 'ipv6' : undefined;
  if (!family) return false;
  const blocks = new BlockList();
  for (const entry of list) {
    const parsed = parseEntry(entry);
    if (parsed) blocks.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return blocks.check(client, family);
}

/** The stored list of an organisation (empty when it has none or the row is unreadable). */
export async function loadAllowList(db: DbOrTx, organizationId: string): Promise<string[]> {
  const row = await db
    .selectFrom('organizations')
    .select('ip_allow_list')
    .where('id', '=', organizationId)
    .executeTakeFirst();
  return row ? readStoredAllowList(row.ip_allow_list) : [];
}

/** An organisation's stored list (its `ip_allow_list` column); empty when the text is unreadable. */
export function readStoredAllowList(stored: string): string[] {
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? parsed.filter((entry): entry is string => typeof entry === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Refuses (IP_NOT_ALLOWED) a member's session or an API key of an organisation whose allow-list does not
 * cover the client address. Signers and personal accounts never come through here.
 */
export async function assertAddressAllowed(
  db: DbOrTx,
  organizationId: string,
  address: string | null | undefined,
): Promise<void> {
  assertAddressInList(await loadAllowList(db, organizationId), address);
}

/** Refuses (IP_NOT_ALLOWED) an address outside an organisation's list already read (see assertAddressAllowed). */
export function assertAddressInList(list: readonly string[], address: string | null | undefined): void {
  if (!addressAllowed(list, address))
    throw new AppError('IP_NOT_ALLOWED', 'this organisation does not allow access from this address', {
      address: address ?? null,
    });
}
