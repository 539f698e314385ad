import { describeIssues } from '../zod-issues';
import { RepositoryLocationSchema, RepositorySchema } from '../values';
import { ChangeProjectSettings, CreateProject } from './project.commands';
import { repositoryLocationProblem } from './repository-location';

describe(repositoryLocationProblem.name, () => {
  const sut = repositoryLocationProblem;

  it.each([
    '/srv/web',
    '/tmp/baton-project-x1y2/repo.git',
    '/home/me/My Projects/web',
    '/srv/odd::name',
    'file:///srv/web',
    'file:///home/me/My%20Projects/web',
    'https://github.com/o/r.git',
    'https://bob:ghp_token@github.com/o/r.git',
    'https://git.example.com:8443/group/sub/r',
    'https://[::1]:8443/r.git',
    'ssh://git@github.com/o/r.git',
    'ssh://build.example.com:2222/srv/r.git',
    'ssh://[fe80::1]/srv/r.git',
    'git@github.com:o/r.git',
    'me@host:/srv/r.git',
    'git@[::1]:r.git',
  ])('allows %j', (location) => {
    expect(sut(location)).toBeNull();
  });

  it.each([
    // Transport helpers: git runs a program (or talks to a file descriptor) instead of cloning.
    ['fd::3', /remote helpers \("fd::"\)/],
    ['ext::sh -c x', /remote helpers \("ext::"\)/],
    ['ext::sh -c touch% /tmp/pwned', /remote helpers/],
    ['foo+bar::anything', /remote helpers/],
    ['1x::y', /remote helpers/],
    // Options.
    ['-uhelp', /must not start with "-"/],
    ['--upload-pack=touch /tmp/pwned', /must not start with "-"/],
    // Schemes not on the list (a `<scheme>://` runs git-remote-<scheme> when one is on the PATH).
    ['git://github.com/o/r.git', /git:\/\/ is not allowed/],
    ['http://github.com/o/r.git', /http:\/\/ is not allowed/],
    ['http://127.0.0.1:8080/r.git', /http:\/\/ is not allowed/],
    ['ftp://host/r.git', /ftp:\/\/ is not allowed/],
    ['foo://host/r', /foo:\/\/ is not allowed/],
    ['git+ssh://host/r.git', /git\+ssh:\/\/ is not allowed/],
    ['HTTPS://github.com/o/r.git', /must be https:/],
    // Malformed allowed schemes.
    ['https://', /must be https:/],
    ['https:///r.git', /must be https:/],
    ['https://-host/r.git', /must be https:/],
    ['https://host/r x.git', /must be https:/],
    ['ssh://-oProxyCommand=touch%20x/r', /must be ssh:/],
    ['ssh://host', /must be ssh:/],
    ['ssh://host/', /must be ssh:/],
    ['file://host/srv/r', /file:\/\/\/<absolute path>/],
    ['file:relative', /local path must be absolute/],
    ['file:///', /file:\/\/\/<absolute path>/],
    // scp-like without a user, or with an option-looking part.
    ['github.com:o/r.git', /local path must be absolute/],
    ['git@-oProxyCommand=x:r', /must be user@host:path/],
    ['-git@host:r', /must not start with "-"/],
    ['git@host:-r', /must be user@host:path/],
    ['git@host:', /must be user@host:path/],
    // Relative and otherwise not absolute local paths.
    ['relative/path', /local path must be absolute/],
    ['./repo', /local path must be absolute/],
    ['../repo', /local path must be absolute/],
    ['~/repo', /local path must be absolute/],
    ['repo', /local path must be absolute/],
    ['C:\\repos\\web', /local path must be absolute/],
    // Control characters.
    ['/srv/web\nx', /control characters/],
    ['/srv/\u0000web', /control characters/],
    ['', /must not be empty/],
  ])('refuses %j', (location, why) => {
    expect(sut(location)).toMatch(why);
  });
});

describe('RepositoryLocationSchema', () => {
  it('trims, then applies the allow-list with a message that names the forms', () => {
    expect(RepositoryLocationSchema.parse('  /srv/web  ')).toBe('/srv/web');
    const r = RepositoryLocationSchema.safeParse('fd::3');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toMatch(/absolute path, file:\/\/\/path, https:\/\/host\/path, ssh:\/\/host\/path or user@host:path/);
  });

  it('is enforced on the commands that set a repository, naming the field', () => {
    const create = CreateProject.schema.safeParse({ projectId: 'p1', name: 'Web', repository: { location: 'ext::sh -c x', defaultBranch: 'main' } });
    expect(create.success).toBe(false);
    expect(describeIssues(create.error!)).toEqual([{ path: 'repository.location', message: expect.stringMatching(/remote helpers/) }]);
    const change = ChangeProjectSettings.schema.safeParse({ projectId: 'p1', repository: { location: '-uhelp', defaultBranch: 'main' } });
    expect(describeIssues(change.error!)).toEqual([{ path: 'repository.location', message: expect.stringMatching(/must not start with "-"/) }]);
    expect(CreateProject.schema.safeParse({ projectId: 'p1', name: 'Web', repository: { location: 'git@github.com:o/r.git', defaultBranch: 'main' } }).success).toBe(true);
  });

  it('leaves stored repositories readable: an event recorded before the allow-list still decodes', () => {
    expect(RepositorySchema.parse({ location: 'fd::3', defaultBranch: 'main' })).toEqual({ location: 'fd::3', defaultBranch: 'main' });
  });
});
