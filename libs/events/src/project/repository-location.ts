/**
 * Where a project's repository may live: an allow-list, because git reads a location as a
 * program to run in more ways than a deny-list can follow (`ext::<command>`, `fd::<n>`, any
 * `<helper>::` or `<scheme>://` with a `git-remote-<helper>` on the PATH, an `-option`).
 *
 * - an absolute local path: `/srv/web` (the runner's own filesystem)
 * - `file:///srv/web` (the same, as a URL: no host, made a path before git sees it)
 * - `https://[user[:token]@]host[:port]/path`
 * - `ssh://[user@]host[:port]/path`
 * - scp-like `user@host:path` (the user is required: without it `host:path` is easy to misread)
 *
 * Not `http://` (code and credentials in the clear), `git://` (unauthenticated) or relative
 * paths (relative to which machine's working directory?). The runner sets git's own
 * protocol allow-list to match (`GIT_ALLOW_PROTOCOL=file:https:ssh`).
 */
export const REPOSITORY_LOCATION_FORMS = 'an absolute path, file:///path, https://host/path, ssh://host/path or user@host:path';

const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
const HOST = String.raw`(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])`;
const USER = String.raw`[A-Za-z0-9_][A-Za-z0-9._~+-]*`;
const PORT = String.raw`(?::\d{1,5})?`;
const HTTPS = new RegExp(String.raw`^https://(?:[^\s/?#@]+@)?${HOST}${PORT}(?:/\S*)?$`);
const SSH = new RegExp(String.raw`^ssh://(?:${USER}@)?${HOST}${PORT}/\S+$`);
const SCP = new RegExp(String.raw`^${USER}@${HOST}:(?!-)\S+$`);
const FILE = /^file:\/\/\/[^/]/;
const HELPER = /^[A-Za-z0-9][A-Za-z0-9+.-]*::/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** Why the location is refused, or null when runners may clone it. */
export function repositoryLocationProblem(location: string): string | null {
  if (location.length === 0) return 'must not be empty';
  if (hasControl(location)) return 'must not contain control characters';
  if (location.startsWith('-')) return `must not start with "-"; must be ${REPOSITORY_LOCATION_FORMS}`;
  if (location.startsWith('/')) return null;
  if (HELPER.test(location)) return `git remote helpers ("${location.slice(0, location.indexOf('::'))}::") are not allowed; must be ${REPOSITORY_LOCATION_FORMS}`;
  const scheme = SCHEME.exec(location)?.[1].toLowerCase();
  if (scheme === 'file') return FILE.test(location) ? null : 'a file URL must be file:///<absolute path> (no host)';
  if (scheme === 'https') return HTTPS.test(location) ? null : 'must be https://[user@]host[:port]/path';
  if (scheme === 'ssh') return SSH.test(location) ? null : 'must be ssh://[user@]host[:port]/path';
  if (scheme) return `${scheme}:// is not allowed; must be ${REPOSITORY_LOCATION_FORMS}`;
  if (SCP.test(location)) return null;
  if (location.includes('@') && location.includes(':')) return 'must be user@host:path (a host name, a path not starting with "-", no spaces)';
  return `a local path must be absolute; must be ${REPOSITORY_LOCATION_FORMS}`;
}
