import { emptyProjectForm, parseEnvLines, projectFieldErrors, toCreateProjectRequest, type ProjectFormValues } from './project-form';

const form = (v: Partial<ProjectFormValues>): ProjectFormValues => ({ ...emptyProjectForm(), ...v });

describe(toCreateProjectRequest.name, () => {
  const sut = toCreateProjectRequest;

  it('builds the request the API expects', () => {
    expect(sut(form({ name: 'Payments', location: '/srv/pay', defaultBranch: 'develop', concurrencyLimit: '4', env: 'A=1\n# c\n\nB=x=y' }))).toEqual({
      request: { name: 'Payments', repository: { location: '/srv/pay', defaultBranch: 'develop' }, concurrencyLimit: 4, env: { A: '1', B: 'x=y' } },
    });
  });

  it('leaves the branch to the API default when blank and sends no limit as null', () => {
    expect(sut(form({ name: 'A', location: '/a', defaultBranch: '  ' }))).toEqual({ request: { name: 'A', repository: { location: '/a' }, concurrencyLimit: null } });
  });

  it('sends an empty name as is, so the API names the problem', () => {
    expect(sut(form({}))).toEqual({ request: { name: '', repository: { location: '', defaultBranch: 'main' }, concurrencyLimit: null } });
  });

  it('passes a fractional or negative limit to the API, which owns that rule', () => {
    expect(sut(form({ concurrencyLimit: '-2' }))).toMatchObject({ request: { concurrencyLimit: -2 } });
  });

  it('refuses what it cannot send, at its input', () => {
    expect(sut(form({ concurrencyLimit: 'many', env: 'NO_EQUALS' }))).toEqual({
      errors: { concurrencyLimit: 'Must be a whole number, or empty for no limit', env: 'Line 1: expected KEY=value' },
    });
  });
});

describe(parseEnvLines.name, () => {
  it('refuses a key set twice', () => {
    expect(parseEnvLines('A=1\nA=2')).toEqual({ error: 'Line 2: A is set twice' });
  });

  it('refuses a line with nothing before the =', () => {
    expect(parseEnvLines('=1')).toEqual({ error: 'Line 1: expected KEY=value' });
  });
});

describe(projectFieldErrors.name, () => {
  it('maps every path the create endpoint names to its input', () => {
    const sut = projectFieldErrors([
      { path: 'name', message: 'must not be empty' },
      { path: 'repository.location', message: 'must not be empty' },
      { path: 'repository.defaultBranch', message: 'must be a valid git branch name' },
      { path: 'concurrencyLimit', message: 'Too small: expected number to be >0' },
      { path: 'env.BAD NAME', message: 'must be a valid environment variable name' },
      { path: 'owner', message: 'unknown field' },
    ]);
    expect(sut.byField).toEqual({
      name: 'Must not be empty',
      location: 'Must not be empty',
      defaultBranch: 'Must be a valid git branch name',
      concurrencyLimit: 'Too small: expected number to be >0',
      env: 'BAD NAME: must be a valid environment variable name',
    });
    expect(sut.unmatched).toEqual([{ path: 'owner', message: 'unknown field' }]);
  });
});
