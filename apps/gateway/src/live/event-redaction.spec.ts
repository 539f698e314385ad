import { registry, type RecordedEvent } from '@baton/events';
import { redact, toLiveEvent, withoutCredentials } from './event-redaction';

const recorded = (type: string, aggregate: RecordedEvent['aggregate'], data: unknown): RecordedEvent => ({
  id: 'e1',
  type,
  version: 1,
  aggregate,
  occurredAt: new Date(0).toISOString(),
  actor: { kind: 'user', id: 'u' },
  correlationId: 'c',
  causationId: 'c',
  batch: { index: 0, count: 1 },
  data,
  position: { seq: 9 },
});

const spec = { name: 'agent', argv: ['run'], env: { OPENAI_API_KEY: 'sk-live-123', MODE: 'x' } };

describe(toLiveEvent.name, () => {
  it('shows the names of project env variables, never their values', () => {
    const sut = toLiveEvent(
      recorded('project.created', { type: 'project', id: 'p1' }, { name: 'Web', repository: { location: 'https://bob:ghp_secret@github.com/o/r.git', defaultBranch: 'main' }, concurrencyLimit: null, env: { DB_PASSWORD: 'hunter2', A: '1' } }),
    );
    expect(sut.data).toEqual({ name: 'Web', repository: { location: 'https://github.com/o/r.git', defaultBranch: 'main' }, concurrencyLimit: null, envKeys: ['A', 'DB_PASSWORD'] });
    expect(JSON.stringify(sut)).not.toMatch(/hunter2|ghp_secret/);
  });

  it('strips env inside pinned templates and spawn requests, however deep', () => {
    const pinned = toLiveEvent(recorded('session.template_pinned', { type: 'session', id: 's1' }, { templateId: 't', version: 1, builtIn: false, spec }));
    const claimed = toLiveEvent(recorded('session.attempt_seat_claimed', { type: 'session', id: 'attempt-a' }, { request: { template: { spec } }, steps: [{ template: { spec } }] }));
    for (const e of [pinned, claimed]) expect(JSON.stringify(e)).not.toContain('sk-live-123');
    expect(JSON.stringify(claimed)).toContain('"envKeys":["MODE","OPENAI_API_KEY"]');
  });

  it('drops token hashes', () => {
    const sut = toLiveEvent(recorded('user.token_issued', { type: 'user', id: 'u1' }, { tokenId: 't1', tokenHash: 'a'.repeat(64), label: 'ci' }));
    expect(sut.data).toEqual({ tokenId: 't1', label: 'ci' });
  });

  it('keeps the envelope but not the internal batch marker', () => {
    const sut = toLiveEvent(recorded('project.archived', { type: 'project', id: 'p1' }, {}));
    expect(Object.keys(sut).sort()).toEqual(['actor', 'aggregate', 'causationId', 'correlationId', 'data', 'id', 'occurredAt', 'type', 'version']);
  });

  it('covers every event type that can carry a secret', () => {
    // Structural rule: any schema with an `env` record or a `tokenHash` is redacted by redact().
    const carriers = registry.eventTypes().filter((t) => /"(env|tokenHash)"/.test(JSON.stringify(registry.event(t)!.schema.toJSONSchema?.({ unrepresentable: 'any' }) ?? {})));
    expect(carriers).toEqual(expect.arrayContaining(['project.created', 'project.settings_changed', 'session.template_pinned', 'session_template.defined', 'user.token_issued']));
  });

  it('leaves plain values alone', () => {
    expect(redact([1, 'a', null, { location: '/srv/x' }])).toEqual([1, 'a', null, { location: '/srv/x' }]);
    expect(withoutCredentials('git@github.com:o/r.git')).toBe('git@github.com:o/r.git');
  });
});
