// Access codes typed or generated in the sender UI.

/** 4–8 ASCII digits, as the API requires. */
export const ACCESS_CODE_PATTERN = /^[0-9]{4,8}$/;

/** A 4-digit code from the browser's CSPRNG, uniform over 0000–9999 (rejection sampling). */
export function generateAccessCode(): string {
  const buffer = new Uint32Array(1);
  const limit = Math.floor(0x1_0000_0000 / 10_000) * 10_000;
  for (;;) {
    crypto.getRandomValues(buffer);
    const value = buffer[0]!;
    if (value < limit) return String(value % 10_000).padStart(4, '0');
  }
}

/** Loose e-mail check for early feedback; the server has the final word. */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}
