import { effectiveProjectRole, roleAtLeast } from './members';

describe(effectiveProjectRole.name, () => {
  it.each([
    ['admin', null, 'admin'],
    ['admin', 'viewer', 'admin'],
    ['operator', null, null],
    ['viewer', null, null],
    ['operator', 'operator', 'operator'],
    ['operator', 'viewer', 'viewer'],
    ['viewer', 'operator', 'viewer'],
    ['viewer', 'viewer', 'viewer'],
  ] as const)('a global %s with project role %s may act as %s', (global, project, expected) => {
    expect(effectiveProjectRole(global, project)).toBe(expected);
  });

  it('compares roles, no role being below every role', () => {
    expect(roleAtLeast('operator', 'viewer')).toBe(true);
    expect(roleAtLeast('viewer', 'operator')).toBe(false);
    expect(roleAtLeast(null, 'viewer')).toBe(false);
  });
});
