import { BranchSchema } from '@baton/events';
import { attemptBranchName, shortId, slugify } from './branch-name';

describe(slugify.name, () => {
  it.each([
    ['Add OAuth login (GitHub)', 'add-oauth-login-github'],
    ['  Ünïcödé — façade  ', 'unicode-facade'],
    ['$(rm -rf ~)', 'rm-rf'],
    ['日本語', 'task'],
    ['a'.repeat(50), 'a'.repeat(40)],
    ['make the login page remember the last used provider please', 'make-the-login-page-remember-the-last'],
  ])('%s → %s', (title, slug) => {
    expect(slugify(title)).toBe(slug);
    expect(slug.length).toBeLessThanOrEqual(40);
  });
});

describe(attemptBranchName.name, () => {
  it('is baton/<slug>-<short id> and a valid git branch name', () => {
    const name = attemptBranchName('Fix: the ../ bug', '01JABCDEF0123456789XYZWVUT');
    expect(name).toBe('baton/fix-the-bug-9xyzwvut');
    expect(shortId('01JABCDEF0123456789XYZWVUT')).toBe('9xyzwvut');
    expect(BranchSchema.safeParse(name).success).toBe(true);
  });

  it('grows the short id when the name is taken', () => {
    const taken = new Set(['baton/x-22223333']);
    expect(attemptBranchName('x', 'aaaa-1111-22223333', taken)).toBe('baton/x-111122223333');
  });
});
