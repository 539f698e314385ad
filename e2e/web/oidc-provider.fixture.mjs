// A real OpenID Connect provider (the `oidc-provider` package) on a loopback port, for the
// single sign-on e2e. Its own login and consent pages (the package's dev interactions) are what
// the browser drives: any login is accepted as that account's id, so the accounts below decide
// who is who. Configured by env; prints `listening <issuer>` once it answers.
//   OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS (comma-separated),
//   OIDC_ACCOUNTS: {"alice": {"name": "Alice", "groups": ["baton-admins"]}, …}
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const port = Number(env('OIDC_PORT'));
const accounts = JSON.parse(env('OIDC_ACCOUNTS'));
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env('OIDC_CLIENT_ID'),
      client_secret: env('OIDC_CLIENT_SECRET'),
      redirect_uris: env('OIDC_REDIRECT_URIS').split(','),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'e2e', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: ['e2e-oidc-provider-cookie-key-0123456789'] },
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
  scopes: ['openid', 'profile', 'groups'],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, name: account.name, preferred_username: id, groups: account.groups ?? [] }) };
  },
});
provider.proxy = false;
// The dev interactions warn on every start; the test has no use for the noise.
provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-provider server_error: ${err.stack ?? err}\n`));

const server = createServer(provider.callback());
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${issuer}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
