import { accepted, baton } from '../__tests__/fake-ctx';

describe('baton notify', () => {
  it('adds a channel with its rules, and prints a generated secret once', async () => {
    const sut = await baton(['notify', 'channel', 'add', '--name', 'ops', '--url', 'https://ntfy.sh/baton-ops', '--format', 'ntfy', '--event', 'needs_input,failed', '--event', 'completed', '--project', 'P1'], () => accepted('C1'));
    expect(sut.code).toBe(0);
    const body = sut.calls[0].body as { secret: string };
    expect(sut.calls).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/api/notifications/channels',
        body: { name: 'ops', url: 'https://ntfy.sh/baton-ops', format: 'ntfy', secret: expect.stringMatching(/^[0-9a-f]{48}$/), projectId: 'P1', rules: { kinds: ['needs_input', 'failed', 'completed'], projectIds: [] } },
      }),
    ]);
    expect(sut.stdout).toBe(`channel C1 added\nsigning secret (shown once): ${body.secret}\n`);
    const own = await baton(['notify', 'channel', 'add', '--name', 'me', '--url', 'http://127.0.0.1:9000/hook', '--event', 'failed', '--secret', 'my-own-secret-123', '--only-project', 'P2'], () => accepted('C2'));
    expect(own.stdout).toBe('channel C2 added\n');
    expect(own.calls[0].body).toMatchObject({ format: 'json', secret: 'my-own-secret-123', projectId: null, rules: { kinds: ['failed'], projectIds: ['P2'] } });
  });

  it('lists channels and deliveries, sets rules, tests and removes', async () => {
    const channel = { id: 'C1', ownerId: 'u', projectId: null, name: 'ops', format: 'slack', url: 'https://hooks.slack.com/••••', rules: { kinds: ['failed'], projectIds: [] }, removed: false, createdAt: 'x', updatedAt: 'x' };
    const listed = await baton(['notify', 'channel', 'list'], () => [channel]);
    expect(listed.stdout).toMatch(/C1\s+ops\s+slack\s+https:\/\/hooks\.slack\.com\/••••\s+\(yours\)\s+failed/);
    const set = await baton(['notify', 'rule', 'set', 'C1', '--event', 'completed'], () => ({ ...accepted('C1'), events: [{ id: 'e', type: 'x', seq: 3 }] }));
    expect(set.calls).toEqual([expect.objectContaining({ method: 'PATCH', path: '/api/notifications/channels/C1/rules', body: { rules: { kinds: ['completed'], projectIds: [] } } })]);
    expect(set.stdout).toBe('channel C1 now sends completed\n');
    expect((await baton(['notify', 'test', 'C1'])).calls).toEqual([expect.objectContaining({ method: 'POST', path: '/api/notifications/channels/C1/test' })]);
    expect((await baton(['notify', 'channel', 'remove', 'C1'])).calls).toEqual([expect.objectContaining({ method: 'DELETE', path: '/api/notifications/channels/C1' })]);
    const delivery = { id: 'nd_1', channelId: 'C1', kind: 'failed', status: 'failed', attempts: 10, responseCode: 503, lastError: 'HTTP 503: busy', createdAt: '2026-01-01T00:00:00.000Z' };
    const log = await baton(['notify', 'deliveries', '--channel', 'C1', '--status', 'failed', '--limit', '5'], () => [delivery]);
    expect(log.calls).toEqual([expect.objectContaining({ method: 'GET', path: '/api/notifications/deliveries', query: { channelId: 'C1', status: 'failed', limit: 5, minSeq: undefined } })]);
    expect(log.stdout).toMatch(/nd_1\s+C1\s+failed\s+failed\s+10\s+503/);
  });

  it.each([
    [['notify', 'channel', 'add', '--name', 'x', '--url', 'http://169.254.169.254/', '--event', 'failed'], /--url.*link-local/],
    [['notify', 'channel', 'add', '--name', 'x', '--url', 'ftp://x/', '--event', 'failed'], /--url/],
    [['notify', 'channel', 'add', '--name', 'x', '--url', 'https://x/', '--event', 'everything'], /--event.*not one of/],
    [['notify', 'channel', 'add', '--name', 'x', '--url', 'https://x/', '--event', 'failed', '--secret', 'short'], /--secret/],
    [['notify', 'channel', 'add', '--name', 'x', '--url', 'https://x/', '--event', 'failed', '--format', 'xml'], /--format/],
    [['notify', 'channel', 'add', '--name', 'x', '--url', 'https://x/'], /--event/],
    [['notify', 'rule', 'set', 'C1'], /--event/],
    [['notify', 'test', 'a b'], /channel/],
    [['notify', 'deliveries', '--limit', '501'], /--limit/],
  ])('refuses %j with exit code 2 and asks nothing', async (args, message) => {
    const sut = await baton(args);
    expect(sut).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
    expect(sut.calls).toEqual([]);
  });
});
