import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What a sign-in in progress must remember between the redirect to the provider and its answer. */
export const PendingSignIn = z.strictObject({
  state: z.string(),
  nonce: z.string(),
  /** The PKCE code verifier: sent with the code, never to the provider before. */
  verifier: z.string(),
  /** The redirect URI the provider was given: the code exchange must name the same one. */
  redirectUri: z.string(),
  /** Epoch milliseconds after which this sign-in is stale. */
  until: z.number(),
});
export type PendingSignIn = z.output<typeof PendingSignIn>;

export const STATE_COOKIE = 'baton_oidc';
export const STATE_TTL_MS = 10 * 60_000;

/**
 * A sign-in in progress travels in a short-lived httpOnly cookie signed with a key derived from
 * the client secret: every gateway replica can check it (no shared store, no sticky sessions),
 * and the browser that started the sign-in is the only one that can finish it (login CSRF).
 */
export class SignInSealer {
  private readonly key: Buffer;

  constructor(
    clientSecret: string,
    context: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', clientSecret, 'baton-oidc-state', context, 32));
  }

  seal(pending: Omit<PendingSignIn, 'until'>): string {
    const payload = Buffer.from(JSON.stringify({ ...pending, until: this.now() + STATE_TTL_MS })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The pending sign-in, or why there is none usable. */
  open(cookie: string | undefined): PendingSignIn | { refused: 'missing' | 'forged' | 'expired' } {
    if (!cookie) return { refused: 'missing' };
    const [payload, signature, ...rest] = cookie.split('.');
    if (!payload || !signature || rest.length) return { refused: 'forged' };
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { refused: 'forged' };
    const parsed = PendingSignIn.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!parsed.success) return { refused: 'forged' };
    return parsed.data.until > this.now() ? parsed.data : { refused: 'expired' };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
