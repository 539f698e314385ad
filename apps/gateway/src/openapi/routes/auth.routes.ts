import { z } from 'zod';
import { AuthConfigView } from '@baton/contracts';
import { route } from '../route';

/*
 * Signing in (docs/decisions/0028). Public: they are how one gets a token. The two OpenID
 * Connect routes are a browser's navigations, answered with redirects: every outcome,
 * failures included, ends on the console's sign-in page.
 */
const tag = 'auth';
const isPublic = true;

/**
 * What the provider sends back. Loose: providers add their own parameters (`iss`, `session_state`,
 * `scope`…); the known ones are bounded, the rest is left to openid-client's checks.
 */
export const OidcCallbackQuery = z.looseObject({
  state: z.string().min(1).max(512).describe('The state this gateway sent to the provider.'),
  code: z.string().min(1).max(4096).optional(),
  error: z.string().min(1).max(200).optional(),
  error_description: z.string().max(2000).optional(),
});

export const AuthRoutes = {
  authConfig: route({
    tag,
    public: isPublic,
    operationId: 'authConfig',
    method: 'get',
    path: '/api/auth/config',
    summary: 'How one signs in here: a token always, the OpenID Connect provider when configured',
    status: 200,
    response: AuthConfigView,
  }),
  oidcLogin: route({
    tag,
    public: isPublic,
    operationId: 'oidcLogin',
    method: 'get',
    path: '/api/auth/oidc/login',
    summary: "Sign in with the OpenID Connect provider: redirects to the provider's login",
    description: 'Authorization code flow with PKCE; state, nonce and the code verifier ride in a signed, httpOnly, 10-minute cookie. 404 when single sign-on is not configured.',
    status: 302,
    response: { redirect: "The provider's authorization endpoint (or the sign-in page with an error when the provider cannot be reached)." },
  }),
  oidcCallback: route({
    tag,
    public: isPublic,
    operationId: 'oidcCallback',
    method: 'get',
    path: '/api/auth/oidc/callback',
    summary: 'Where the provider sends the browser back: the code is exchanged and the person signed in',
    description:
      'Checks the state against the cookie, exchanges the code with the PKCE verifier, validates the ID token (signature, issuer, audience, nonce), ' +
      'creates or finds the user by (issuer, subject) with the role its groups map to, and redirects to `/signin#token=…` with a token that expires. ' +
      'Any refusal redirects to `/signin#error=…` and counts against the failed sign-in limit of the address.',
    query: OidcCallbackQuery,
    status: 302,
    response: { redirect: 'The console: `/signin#token=…` signed in, or `/signin#error=…`.' },
    mintsSecret: true,
    commands: ['user.sign_in_external'],
  }),
};
