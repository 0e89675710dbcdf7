// Whether an address is inside one of the typed ranges, for the allow-list's lock-out warning. IPv4 is
// checked exactly; for IPv6 the page cannot tell cheaply and says nothing (the server refuses a list
// that would lock the administrator out either way).

function ipv4ToNumber(address: string): number | null {
  const parts = address.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

/** true / false for IPv4 addresses; null when it cannot tell (IPv6, or unreadable entries only). */
export function coversAddress(entries: readonly string[], address: string): boolean | null {
  const client = ipv4ToNumber(address.replace(/^::ffff:/i, ''));
  if (client === null) return null;
  let readable = false;
  for (const entry of entries) {
    const [network, prefixText] = entry.trim().split('/');
    const base = ipv4ToNumber((network ?? '').replace(/^::ffff:/i, ''));
    if (base === null) continue;
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) continue;
    readable = true;
    const size = 2 ** (32 - prefix);
    if (Math.floor(base / size) === Math.floor(client / size)) return true;
  }
  return readable ? false : null;
}
