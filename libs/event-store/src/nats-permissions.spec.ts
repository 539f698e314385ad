import { natsAuthorizationConfig, natsPermissions, runnerInboxPrefix, RUNNER_COMMANDS } from './nats-permissions';

const pw = 'a-password-long-enough';

describe('NATS permissions per role', () => {
  it("gives a runner its own subjects only: its consumer, its heartbeat key, its inbox, its token renewals", () => {
    const p = natsPermissions('baton', 'runner', 'r1');
    const pub = p.publish.allow!;
    expect(pub).toContain('$JS.API.CONSUMER.MSG.NEXT.BATON_COMMANDS.runner-r1');
    expect(pub).toContain('$KV.baton_runners.r1');
    expect(pub).toContain('baton.agent_token.r1');
    expect(pub.some((s) => s.includes('r2'))).toBe(false);
    // No wildcard over commands, events, stream management or other KV buckets.
    expect(pub.filter((s) => /^baton\.(cmd|evt)\./.test(s) && /[*>]/.test(s))).toEqual([]);
    expect(pub.filter((s) => /\$JS\.API\.STREAM\.(CREATE|UPDATE|DELETE|PURGE)/.test(s))).toEqual([]);
    expect(pub.filter((s) => s.startsWith('$KV.') && s !== '$KV.baton_runners.r1')).toEqual([]);
    // Keystrokes addressed to it, terminal output under its own id, and no reading of the terminal log.
    expect(p.subscribe.allow).toEqual([`${runnerInboxPrefix('r1')}.>`, 'baton.input.r1.*', 'baton.resize.r1.*']);
    expect(pub.filter((s) => s.startsWith('baton.term.'))).toEqual(['baton.term.*.r1']);
    expect(pub.filter((s) => s.includes('BATON_TERMINAL'))).toEqual([]);
    // Its reports on `….from.r1` only: the processor holds the body to that runner (command-subject.ts).
    expect(RUNNER_COMMANDS.map((d) => d.type)).toContain('session.record_exit');
    expect(pub.filter((s) => s.startsWith('baton.cmd.'))).toEqual(RUNNER_COMMANDS.map((d) => `baton.cmd.${d.service}.${d.type}.from.r1`));
  });

  it.each(['tasks', 'gateway'] as const)('keeps the sessions bucket (the agent-token secret) from the %s service', (role) => {
    const p = natsPermissions('ns1', role);
    expect(p.publish.deny).toEqual(expect.arrayContaining(['$JS.API.DIRECT.GET.KV_ns1_sessions.>', '$JS.API.STREAM.MSG.GET.KV_ns1_sessions', '$KV.ns1_sessions.>']));
    expect(p.subscribe.deny).toEqual(['$KV.ns1_sessions.>']);
    // The public key the gateway verifies with is in a bucket of its own, which stays readable.
    expect([...p.publish.deny!, ...p.subscribe.deny!].filter((s) => s.includes('agent_token_keys'))).toEqual([]);
    expect(natsPermissions('ns1', 'sessions').publish).toEqual({ allow: ['>'] });
  });

  it('writes an authorization block nats-server reads, and refuses what would make a bad one', () => {
    const conf = natsAuthorizationConfig('baton', [
      { user: 'sessions', password: pw, role: 'sessions' },
      { user: 'runner-r1', password: pw, role: 'runner', runnerId: 'r1' },
    ]);
    expect(conf.startsWith('authorization {')).toBe(true);
    const parsed = JSON.parse(conf.slice('authorization '.length)) as { users: { user: string }[] };
    expect(parsed.users.map((u) => u.user)).toEqual(['sessions', 'runner-r1']);
    expect(() => natsAuthorizationConfig('baton', [{ user: 'a b', password: pw, role: 'tasks' }])).toThrow(/NATS user "a b"/);
    expect(() => natsAuthorizationConfig('baton', [{ user: 'a', password: 'short', role: 'tasks' }])).toThrow(/16\+ characters/);
    expect(() => natsAuthorizationConfig('baton', [{ user: 'a', password: `${pw}"`, role: 'tasks' }])).toThrow(/quotes/);
    expect(() => natsAuthorizationConfig('baton', [{ user: 'a', password: pw, role: 'tasks' }, { user: 'a', password: pw, role: 'gateway' }])).toThrow(/twice/);
    expect(() => natsAuthorizationConfig('baton', [{ user: 'r', password: pw, role: 'runner' }])).toThrow(/runnerId/);
    expect(() => natsPermissions('baton', 'runner', 'r.1')).toThrow(/runner id "r.1"/);
  });
});
