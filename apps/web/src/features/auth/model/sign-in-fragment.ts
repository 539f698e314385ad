/** What the gateway's single sign-on hands back in the URL's fragment (docs/decisions/0028). */
export type SignInFragment = { token: string } | { error: string };

/**
 * `#token=…` or `#error=…`, or null for any other fragment. Pure; `takeSignInFragment` reads it
 * from the address bar and strips it, so the token never stays in history or a copied link.
 */
export function parseSignInFragment(hash: string): SignInFragment | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token');
  if (token) return { token };
  const error = params.get('error');
  return error ? { error } : null;
}

export function takeSignInFragment(location: Pick<Location, 'hash'>, history: Pick<History, 'replaceState'>): SignInFragment | null {
  const fragment = parseSignInFragment(location.hash);
  if (fragment) history.replaceState(null, '', 'token' in fragment ? '/' : '/signin');
  return fragment;
}
