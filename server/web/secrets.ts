/** Comparing secrets (passwords, tokens) without leaking their content or length by timing. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Equal-length SHA-256 digests compared in constant time. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}
