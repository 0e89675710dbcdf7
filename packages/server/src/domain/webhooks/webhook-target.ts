import { BlockList, isIP } from 'node:net';
import { AppError } from '../app-error.ts';

/** The longest endpoint URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2000;

// Addresses a webhook must not reach unless the operator allows it: loopback, private (RFC 1918, ULA),
// carrier-grade NAT, link-local (which holds the clouds' metadata service 169.254.169.254), "this
// network", benchmarking, multicast and reserved ranges. IPv4-mapped and NAT64 IPv6 forms are unwrapped
// before the check (isPrivateAddress).
const REFUSED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const)
  REFUSED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
] as const)
  REFUSED.addSubnet(network, prefix, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible or NAT64 (64:ff9b::/96) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Whether an IP address is loopback, private, link-local, metadata or otherwise not a public host. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return REFUSED.check(address, 'ipv4');
  if (family !== 6) return true;
  const inner = embeddedIpv4(address);
  if (inner !== undefined) return REFUSED.check(inner, 'ipv4');
  return REFUSED.check(address, 'ipv6');
}

const LOCAL_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

/**
 * Checks an endpoint URL as typed by an administrator: https (http too when private targets are
 * allowed, for receivers on the operator's own network), no credentials in it, a host that is not an
 * obviously local name or a refused address. Names are resolved and checked again at each delivery
 * (DNS may change after this check). Returns the normalised URL.
 */
export function checkWebhookUrl(input: unknown, options: { allowPrivate: boolean }): string {
  if (typeof input !== 'string' || input.trim() === '' || input.length > MAX_WEBHOOK_URL_LENGTH)
    throw new AppError('WEBHOOK_URL_INVALID', 'the URL must be an absolute https URL', { field: 'url' });
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new AppError('WEBHOOK_URL_INVALID', 'the URL is not a valid URL', { field: 'url' });
  }
  const httpAllowed = options.allowPrivate && url.protocol === 'http:';
  if ((url.protocol !== 'https:' && !httpAllowed) || url.hostname === '')
    throw new AppError('WEBHOOK_URL_INVALID', 'the URL must be an absolute https URL', { field: 'url' });
  if (url.username !== '' || url.password !== '')
    throw new AppError('WEBHOOK_URL_INVALID', 'the URL must not hold a user name or password', { field: 'url' });
  url.hash = '';
  if (!options.allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 ? isPrivateAddress(host) : LOCAL_NAMES.test(host.replace(/\.$/, '')))
      throw new AppError('WEBHOOK_TARGET_REFUSED', 'private, loopback and link-local targets are refused', {
        field: 'url',
      });
  }
  return url.href;
}
