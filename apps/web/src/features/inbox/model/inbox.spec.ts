import { titleWithCount } from '../../../shared/lib/title';
import { waitsForPermission } from './inbox';

describe(titleWithCount.name, () => {
  it('puts the count of waiting agents in front of the title, and nothing when none waits', () => {
    expect(titleWithCount(0)).toBe('Baton');
    expect(titleWithCount(3)).toBe('(3) Baton');
    expect(titleWithCount(250)).toBe('(99+) Baton');
  });
});

describe(waitsForPermission.name, () => {
  it('offers approve/deny for a real agent\'s permission prompt only, not for a question', () => {
    const s = (statusReason: string, kind: 'agent' | 'command' = 'agent') => ({ kind, status: 'needs_input' as const, statusReason });
    expect(waitsForPermission(s('Claude Code asks to use Write: hello.txt'))).toBe(true);
    expect(waitsForPermission(s('Codex asks to use shell: git commit -m x'))).toBe(true);
    expect(waitsForPermission(s('How should I go about "Pick a colour"?'))).toBe(false);
    expect(waitsForPermission(s('Claude Code asks to use Write: x', 'command'))).toBe(false);
    expect(waitsForPermission({ ...s('Claude Code asks to use Write: x'), status: 'working' })).toBe(false);
  });
});
