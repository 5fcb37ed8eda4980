import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL- and netrc-safe. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are high-entropy, so a fast hash cannot be brute-forced and keeps auth to one indexed lookup. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
