import { createHash, randomBytes } from 'node:crypto';

/** A user token: `btn_` + 32 random bytes. Only its SHA-256 is ever stored. */
export function generateToken(): string {
  return `btn_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
