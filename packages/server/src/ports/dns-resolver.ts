/** What a TXT lookup found: the records (each one's strings joined), none at that name, or no answer. */
export type TxtLookup =
  | { kind: 'records'; records: string[] }
  | { kind: 'not-found' }
  /** The resolver refused, failed or did not answer: `reason` is its code (REFUSED, SERVFAIL, TIMEOUT …). */
  | { kind: 'failed'; reason: string };

/** DNS lookups (domain-claim verification): the system's resolvers or INKAN_DNS_SERVERS. */
export interface DnsResolver {
  txt(name: string): Promise<TxtLookup>;
}
