import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorBanner } from '../../../shared/ui/Banner';
import { Field } from '../../../shared/ui/Field';
import { BatonMark } from '../../../shared/ui/icons';
import { session } from '../model/use-session';
import { setPageTitle } from '../../../shared/lib/title';
import { http } from '../../../api/http';
import type { AuthConfigView } from '../../../api/types';

/** The provider's button, once the gateway said single sign-on is configured. */
function useAuthConfig(): AuthConfigView | null {
  const [config, setConfig] = useState<AuthConfigView | null>(null);
  useEffect(() => {
    const ask = new AbortController();
    // Without an answer the page offers the token field only, which always works.
    http.get<AuthConfigView>('/api/auth/config', { signal: ask.signal }).then(setConfig, () => undefined);
    return () => ask.abort();
  }, []);
  return config;
}

/**
 * Sign-in: with the OpenID Connect provider when configured (a plain link: the browser leaves
 * for the provider and comes back signed in), or with a token an admin handed out.
 */
export function SignInPage({ reason }: { reason: string | null }) {
  const config = useAuthConfig();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [sending, setSending] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setPageTitle('Sign in · Baton');
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (sending) return;
    setSending(true);
    const result = await session.signIn(token);
    // On success this page is gone; only a refusal comes back here.
    if (!result.ok) {
      setSending(false);
      setError(result.message);
      input.current?.focus();
    }
  };

  return (
    <div className="signin">
      <form className="signin__card" onSubmit={submit} noValidate aria-busy={sending}>
        <div className="signin__brand">
          <BatonMark size={28} />
          <h1 className="signin__title">Sign in to Baton</h1>
        </div>
        {reason && <ErrorBanner>{reason}</ErrorBanner>}
        {config?.oidc && (
          <>
            <a className="btn btn--primary btn--block signin__sso" href={config.oidc.loginPath}>
              Sign in with {config.oidc.providerName}
            </a>
            <div className="signin__or" aria-hidden="true">
              or with a token
            </div>
          </>
        )}
        <Field label="Access token" error={error}>
          {(a) => (
            <input
              {...a}
              ref={input}
              name="token"
              type="password"
              className="input input--mono"
              autoComplete="current-password"
              autoFocus={!config?.oidc}
              spellCheck={false}
              placeholder="btn_…"
              value={token}
              disabled={sending}
              onChange={(e) => {
                setToken(e.target.value);
                setError(undefined);
              }}
            />
          )}
        </Field>
        <button type="submit" className={`btn ${config?.oidc ? 'btn--ghost' : 'btn--primary'} btn--block`} disabled={sending}>
          {sending && <span className="spinner" aria-hidden="true" />}
          {sending ? 'Signing in…' : config?.oidc ? 'Sign in with token' : 'Sign in'}
        </button>
        <p className="signin__note">
          The first admin token is printed by the gateway on its first start (or set with <code>BATON_BOOTSTRAP_TOKEN</code>). Admins issue tokens to everyone else.
        </p>
      </form>
    </div>
  );
}

/** Stored token, but the gateway cannot say whose right now. */
export function GatewayUnreachable({ message }: { message: string }) {
  return (
    <div className="signin">
      <div className="signin__card">
        <div className="signin__brand">
          <BatonMark size={28} />
          <h1 className="signin__title">Cannot reach Baton</h1>
        </div>
        <ErrorBanner>{message}</ErrorBanner>
        <div className="signin__actions">
          <button type="button" className="btn btn--ghost" onClick={() => session.signOut()}>
            Use another token
          </button>
          <button type="button" className="btn btn--primary" onClick={() => void session.restore()}>
            Try again
          </button>
        </div>
      </div>
    </div>
  );
}
