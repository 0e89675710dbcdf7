import { randomBytes } from 'node:crypto';

// 32 symbols without 0/O and 1/I: read aloud or typed from paper without ambiguity. 32 divides 256,
// so taking a byte modulo 32 is unbiased.
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** Every character a certificate ID may contain (the stamp's font subset covers them all, once). */
export const CERTIFICATE_ID_CHARACTERS = `IK-${ALPHABET}`;

/** A new certificate-of-completion ID `IK-XXXX-XXXX-XXXX` (60 random bits from the CSPRNG). */
export function newCertificateId(): string {
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => ALPHABET[b % 32]);
  return `IK-${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8, 12).join('')}`;
}

/** Whether a string has the shape of a certificate ID. */
export function isCertificateId(text: string): boolean {
  return new RegExp(`^IK-[${ALPHABET}]{4}-[${ALPHABET}]{4}-[${ALPHABET}]{4}$`).test(text);
}
