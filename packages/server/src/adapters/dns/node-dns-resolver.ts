import { Resolver } from 'node:dns/promises';
import type { DnsResolver, TxtLookup } from '../../ports/dns-resolver.ts';

// No record of that type, or no such name: the same thing to a verifier.
const NOT_FOUND = new Set(['ENODATA', 'ENOTFOUND']);

/**
 * Node's resolver (c-ares, asking servers directly, not the system's getaddrinfo): `servers` from
 * INKAN_DNS_SERVERS, or the system's resolv.conf when empty. A few seconds at most per lookup.
 */
export function nodeDnsResolver(servers: string[], options: { timeoutMs?: number; tries?: number } = {}): DnsResolver {
  return {
    async txt(name: string): Promise<TxtLookup> {
      const resolver = new Resolver({ timeout: options.timeoutMs ?? 2500, tries: options.tries ?? 2 });
      if (servers.length > 0) resolver.setServers(servers);
      try {
        const records = await resolver.resolveTxt(name);
        return { kind: 'records', records: records.map((chunks) => chunks.join('')) };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
        if (NOT_FOUND.has(code)) return { kind: 'not-found' };
        return { kind: 'failed', reason: code.replace(/^E/, '') };
      } finally {
        resolver.cancel();
      }
    },
  };
}
