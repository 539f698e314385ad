import type { Credentials } from '../../../api/credentials';
import { describeError, isApiError } from '../../../api/errors';
import type { MeView, Role } from '../../../api/types';
import type { SignInFragment } from './sign-in-fragment';

export type SessionState =
  | { status: 'checking' }
  | { status: 'signed_out'; reason: string | null }
  | { status: 'signed_in'; me: MeView }
  /** A token is stored but the gateway could not say whose: keep it, offer a retry. */
  | { status: 'unreachable'; message: string };

export type SignInResult = { ok: true } | { ok: false; message: string };

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** The gateway's rule, mirrored to shape the UI: viewers read, operators act, admins manage. */
export function hasRole(me: MeView, needed: Role): boolean {
  return RANK[me.role] >= RANK[needed];
}

export const SESSION_ENDED = 'Your session ended: the token was revoked or is no longer valid.';

/**
 * Who is signed in, as an external store (subscribe / getSnapshot) so React reads it with
 * useSyncExternalStore and specs drive it without a DOM.
 */
export class SessionStore {
  private state: SessionState = { status: 'checking' };
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly creds: Credentials,
    private readonly whoAmI: (token?: string) => Promise<MeView>,
    /** Revokes the token a sign-in handed out; only tokens that expire (single sign-on's) are. */
    private readonly revoke: (me: MeView, token: string) => Promise<unknown> = async () => undefined,
  ) {
    creds.onRejected(() => {
      creds.clear();
      this.set({ status: 'signed_out', reason: SESSION_ENDED });
    });
  }

  readonly subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  readonly getSnapshot = (): SessionState => this.state;

  /**
   * On page load: the sign-in single sign-on just handed back (its token, or why it failed),
   * else whose is the stored token, if there is one.
   */
  async restore(fragment: SignInFragment | null = null): Promise<void> {
    if (fragment && 'error' in fragment) return this.set({ status: 'signed_out', reason: `Single sign-on failed: ${fragment.error}` });
    if (fragment) {
      this.set({ status: 'checking' });
      const result = await this.signIn(fragment.token);
      if (!result.ok) this.set({ status: 'signed_out', reason: `Single sign-on failed: ${result.message}` });
      return;
    }
    const token = this.creds.current;
    if (!token) return this.set({ status: 'signed_out', reason: null });
    this.set({ status: 'checking' });
    try {
      this.set({ status: 'signed_in', me: await this.whoAmI() });
    } catch (e) {
      if (isApiError(e) && e.status === 401) {
        this.creds.clear();
        this.set({ status: 'signed_out', reason: SESSION_ENDED });
      } else if (this.creds.current === token) {
        this.set({ status: 'unreachable', message: describeError(e) });
      }
    }
  }

  async signIn(candidate: string): Promise<SignInResult> {
    const token = candidate.trim();
    if (!token) return { ok: false, message: 'Paste your access token.' };
    try {
      const me = await this.whoAmI(token);
      this.creds.set(token);
      this.set({ status: 'signed_in', me });
      return { ok: true };
    } catch (e) {
      if (isApiError(e) && e.status === 401) return { ok: false, message: 'This token is unknown or has been revoked.' };
      return { ok: false, message: describeError(e) };
    }
  }

  signOut(): void {
    // A token single sign-on made exists for this tab alone: it goes with the sign-out. A pasted
    // token may be in use elsewhere (the CLI), so it stays. Best effort: signing out never waits.
    const token = this.creds.current;
    if (this.state.status === 'signed_in' && this.state.me.expiresAt && token) void this.revoke(this.state.me, token).catch(() => undefined);
    this.creds.clear();
    this.set({ status: 'signed_out', reason: null });
  }

  private set(next: SessionState): void {
    this.state = next;
    for (const fn of this.listeners) fn();
  }
}
