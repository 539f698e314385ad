import * as client from 'openid-client';
import type { OidcSettings } from './oidc.config';

/** What the provider said about the person, after every check passed. */
export interface VerifiedSignIn {
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
}

/** Why a sign-in failed, in words for the person at the sign-in page (never a secret). */
export class SignInRefused extends Error {}

const DISCOVERY_RETRY_MS = 30_000;

/**
 * The one place that speaks OpenID Connect, through openid-client (v6: ESM only, loaded by
 * Node ≥ 20.19's require(esm); decision 0028): discovery, the authorization URL with PKCE,
 * state and nonce, and the code exchange with every ID token check (signature by the
 * provider's JWKS, issuer, audience, nonce, expiry). The provider's metadata is discovered on
 * first use, not at start: a provider that is down must not keep the gateway from starting.
 */
export class OidcProviderClient {
  private config?: Promise<client.Configuration>;
  private failedAt = 0;

  constructor(private readonly settings: OidcSettings) {}

  async authorizationUrl(redirectUri: string): Promise<{ url: string; state: string; nonce: string; verifier: string }> {
    const config = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, nonce, verifier };
  }

  /** Exchanges the code the browser brought back (`callbackUrl`: the redirect URI with the provider's parameters). */
  async finish(callbackUrl: URL, pending: { state: string; nonce: string; verifier: string }): Promise<VerifiedSignIn> {
    const config = await this.configuration();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    } catch (e) {
      throw new SignInRefused(`the provider's answer was not accepted (${describe(e)})`);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new SignInRefused('the provider sent no ID token');
    const claims: Record<string, unknown> = { ...idClaims };
    // Many providers put groups (and names) in the userinfo answer only.
    if (!(this.settings.groupsClaim in claims) && config.serverMetadata().userinfo_endpoint) {
      try {
        const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        for (const [k, v] of Object.entries(info)) if (!(k in claims)) claims[k] = v;
      } catch (e) {
        throw new SignInRefused(`the provider's userinfo could not be read (${describe(e)})`);
      }
    }
    return { issuer: idClaims.iss, subject: idClaims.sub, claims };
  }

  private configuration(): Promise<client.Configuration> {
    // A failed discovery is tried again on the next sign-in, at most every 30 s.
    if (this.config && !(this.failedAt && Date.now() - this.failedAt > DISCOVERY_RETRY_MS)) return this.config;
    this.failedAt = 0;
    const { issuer, clientId, clientSecret } = this.settings;
    const discovered = client
      .discovery(issuer, clientId, { client_secret: clientSecret }, client.ClientSecretBasic(clientSecret), {
        // http is allowed for a provider on a loopback address only (the settings refuse any other).
        ...(issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
        timeout: 10,
      })
      .catch((e: unknown) => {
        this.failedAt = Date.now();
        throw new SignInRefused(`the provider at ${issuer.href} could not be reached (${describe(e)})`);
      });
    this.config = discovered;
    return discovered;
  }
}

function describe(e: unknown): string {
  if (e instanceof client.AuthorizationResponseError) return e.error_description ? `${e.error}: ${e.error_description}` : e.error;
  if (e instanceof client.ResponseBodyError) return e.error_description ? `${e.error}: ${e.error_description}` : e.error;
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const message = e instanceof Error ? e.message : String(e);
  return cause?.code ? `${message}: ${cause.code}` : message;
}
