import { accepted, baton } from '../__tests__/fake-ctx';

describe('baton project members', () => {
  it('adds a member with its role, and says when it already was one', async () => {
    const sut = await baton(['project', 'add-member', 'P1', '--user', 'u1', '--role', 'operator', '--idempotency-key', 'k1'], () => ({ ...accepted('P1'), events: [{ id: 'e', type: 'project.member_added', seq: 7 }] }));
    expect(sut).toMatchObject({ code: 0, stdout: 'user u1 is an operator of project P1\n' });
    expect(sut.calls).toEqual([expect.objectContaining({ method: 'POST', path: '/api/projects/P1/members', body: { userId: 'u1', role: 'operator' }, opts: { headers: { 'idempotency-key': 'k1' } } })]);
    expect((await baton(['project', 'add-member', 'P1', '--user', 'u1', '--role', 'viewer'], () => accepted('P1'))).stdout).toBe('user u1 already was a viewer of project P1\n');
  });

  it('changes a role, removes a member and lists them', async () => {
    const set = await baton(['project', 'set-member-role', 'P1', '--user', 'u1', '--role', 'viewer']);
    expect(set.calls).toEqual([expect.objectContaining({ method: 'PATCH', path: '/api/projects/P1/members/u1', body: { role: 'viewer' } })]);
    const removed = await baton(['project', 'remove-member', 'P1', '--user', 'u1']);
    expect(removed.calls).toEqual([expect.objectContaining({ method: 'DELETE', path: '/api/projects/P1/members/u1' })]);
    const member = { userId: 'u1', name: 'Ada', role: 'operator', userRole: 'viewer', effectiveRole: 'viewer', addedAt: '2026-01-01T00:00:00.000Z' };
    const listed = await baton(['project', 'members', 'P1', '--min-seq', '4'], () => [member]);
    expect(listed.calls).toEqual([expect.objectContaining({ method: 'GET', path: '/api/projects/P1/members', query: { minSeq: 4 } })]);
    expect(listed.stdout).toMatch(/u1\s+Ada\s+operator\s+viewer\s+viewer/);
  });

  it.each([
    [['project', 'add-member', 'P1', '--user', 'u1', '--role', 'admin'], /--role/],
    [['project', 'add-member', 'P1', '--role', 'viewer'], /--user/],
    [['project', 'set-member-role', 'P1', '--user', 'a b', '--role', 'viewer'], /--user/],
    [['project', 'remove-member', 'P1'], /--user/],
  ])('refuses %j with exit code 2 and asks nothing', async (args, message) => {
    const sut = await baton(args);
    expect(sut).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
    expect(sut.calls).toEqual([]);
  });
});
