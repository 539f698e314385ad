import { SignInExternal, type Role } from '@baton/events';
import { CommandBus, QueryClient } from '@baton/event-store';
import { ulid } from 'ulid';
import { generateToken, hashToken } from '../token';
import { displayNameOf, groupsOf, roleFromGroups, userIdFor, type OidcSettings } from './oidc.config';
import { OidcProviderClient, SignInRefused } from './oidc-provider-client';
import { SignInSealer, type PendingSignIn } from './oidc-state';

const SYSTEM = { kind: 'system' as const, id: 'gateway-oidc' };

export interface SignedIn {
  token: string;
  userId: string;
  role: Role;
  /** The role the groups gave, when the directory kept another (the last admin who can sign in stays admin). */
  mapped?: Role;
}

/**
 * Single sign-on's steps, between the routes (HTTP, cookies, redirects) and the provider
 * (openid-client): starting a sign-in, and turning the provider's answer into a user of the
 * directory and a token that expires.
 */
export class OidcSignIn {
  readonly sealer: SignInSealer;

  constructor(
    readonly settings: OidcSettings,
    private readonly provider: OidcProviderClient,
    private readonly commands: CommandBus,
    private readonly queries: QueryClient,
  ) {
    this.sealer = new SignInSealer(settings.clientSecret, `${settings.issuer.href}|${settings.clientId}`);
  }

  /** The provider's URL to send the browser to, and the sealed cookie that must come back with it. */
  async start(redirectUri: string): Promise<{ url: string; cookie: string }> {
    const { url, state, nonce, verifier } = await this.provider.authorizationUrl(this.settings.redirectUrl ?? redirectUri);
    return { url, cookie: this.sealer.seal({ state, nonce, verifier, redirectUri: this.settings.redirectUrl ?? redirectUri }) };
  }

  /** `query`: the callback's query string as received. */
  async finish(pending: PendingSignIn, query: string, now = Date.now()): Promise<SignedIn> {
    const callback = new URL(pending.redirectUri);
    callback.search = query;
    const who = await this.provider.finish(callback, pending);
    const groups = groupsOf(who.claims, this.settings.groupsClaim);
    const role = roleFromGroups(groups, this.settings.roleMap, this.settings.defaultRole);
    if (!role) throw new SignInRefused(`you are in no group that may use Baton (${this.settings.groupsClaim}: ${groups.length ? groups.join(', ') : 'none'})`);
    const token = generateToken();
    const tokenId = ulid();
    const reply = await this.commands.send(
      SignInExternal,
      {
        userId: userIdFor(who.issuer, who.subject),
        name: displayNameOf(who.claims),
        identity: { issuer: who.issuer, subject: who.subject },
        role,
        token: { tokenId, tokenHash: hashToken(token), label: `sign-in with ${this.settings.providerName}`.slice(0, 200), expiresAt: new Date(now + this.settings.tokenTtlMs).toISOString() },
      },
      { actor: SYSTEM },
    );
    if (reply.status === 'rejected') throw new SignInRefused(`Baton refused the sign-in: ${reply.message}`);
    // Handed out only once it works: the read model has it, and tells which user (and role) it is.
    const who2 = await this.queries.ask<{ userId: string; role: Role }>('tasks', 'authenticate', { tokenHash: hashToken(token) }, { minSeq: reply.seq });
    return { token, userId: who2.userId, role: who2.role, ...(who2.role !== role ? { mapped: role } : {}) };
  }
}
