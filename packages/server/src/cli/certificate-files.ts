import { readFileSync } from 'node:fs';
import { CertificateParseError, parseCertificate } from '@inkan/core/verify';

/** Reads PEM or DER certificate files (`--trust`, the installation's root), checked with the core's certificate reader. */
export function readCertificates(paths: readonly string[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const path of paths) {
    const data = readFileSync(path);
    const text = data.toString('latin1');
    const found: Uint8Array[] = [];
    if (text.includes('-----BEGIN CERTIFICATE-----')) {
      for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g))
        found.push(new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
    } else found.push(new Uint8Array(data));
    // A trust anchor that silently fails to parse would turn "trusted" into a puzzling "untrusted".
    for (const der of found) {
      try {
        parseCertificate(der);
      } catch (error) {
        if (error instanceof CertificateParseError) throw new Error(`${path} is not an X.509 certificate (PEM or DER)`);
        throw error;
      }
    }
    out.push(...found);
  }
  return out;
}
