import { parseSignInFragment, takeSignInFragment } from './sign-in-fragment';

describe('the sign-in fragment single sign-on hands back', () => {
  it('reads a token or an error, and nothing else', () => {
    expect(parseSignInFragment('#token=btn_abc')).toEqual({ token: 'btn_abc' });
    expect(parseSignInFragment('#error=the%20provider%20said%20no')).toEqual({ error: 'the provider said no' });
    expect(parseSignInFragment('#section-2')).toBeNull();
    expect(parseSignInFragment('')).toBeNull();
  });

  it('strips it from the address bar: the console on a token, the sign-in page on an error', () => {
    const replaced: string[] = [];
    const history = { replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) };
    expect(takeSignInFragment({ hash: '#token=btn_abc' }, history)).toEqual({ token: 'btn_abc' });
    expect(takeSignInFragment({ hash: '#error=no' }, history)).toEqual({ error: 'no' });
    expect(takeSignInFragment({ hash: '' }, history)).toBeNull();
    expect(replaced).toEqual(['/', '/signin']);
  });
});
