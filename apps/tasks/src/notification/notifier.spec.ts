import { createHmac } from 'node:crypto';
import { NotificationTestRequested, SessionEnded, SessionStatusChanged, TimelineRecorded, AutopilotNeedsInput, webhookUrlProblem, type DomainEvent, type RecordedEvent } from '@baton/events';
import { recorded } from '@baton/testing';
import { channelsFor, deliveryId, type ChannelTarget } from './matching';
import { noticeOf } from './notice';
import { retryDelayMs, verdictOf } from './retry-policy';
import { linkFor, signature, webhookRequest, type DeliveryContent } from './webhook-request';

const at = (e: ReturnType<typeof recorded>, seq: number) => ({ ...e, position: { seq } }) as unknown as RecordedEvent<DomainEvent>;
const s1 = { type: 'session' as const, id: 's1' };
const status = (to: 'needs_input' | 'lost' | 'working', reason: string, seq = 10) => at(recorded(s1, SessionStatusChanged({ from: 'working', to: to === 'working' ? 'working' : to, source: 'agent', reason })), seq);
const ended = (st: 'completed' | 'failed' | 'stopped', seq = 10) =>
  at(recorded(s1, SessionEnded({ status: st, reason: 'done', exitCode: 0, runnerId: 'r1', killProcess: false, cascadeTo: [], projectId: 'p1', attemptId: null, taskIds: [], parentSessionId: null, origin: { kind: 'manual' } })), seq);

describe('noticeOf', () => {
  it('tells a permission prompt from a question by the words the agents\' hooks use', () => {
    expect(noticeOf(status('needs_input', 'Claude Code asks to use Bash: rm -rf build'))).toMatchObject({ kind: 'permission_prompt', sessionId: 's1', projectId: null });
    expect(noticeOf(status('needs_input', 'Which branch should I use?'))).toMatchObject({ kind: 'needs_input', message: 'Which branch should I use?' });
  });

  it('maps endings, lost runners, budgets and failed merges; ignores the rest', () => {
    expect(noticeOf(ended('completed'))).toMatchObject({ kind: 'completed', projectId: 'p1' });
    expect(noticeOf(ended('failed'))).toMatchObject({ kind: 'failed', projectId: 'p1' });
    expect(noticeOf(ended('stopped'))).toBeNull();
    expect(noticeOf(status('lost', 'runner r1 stopped answering'))).toMatchObject({ kind: 'runner_lost' });
    expect(noticeOf(status('working', 'x'))).toBeNull();
    const budget = at(recorded(s1, TimelineRecorded({ kind: 'budget_exceeded', message: 'project budget $5 passed', taskId: null, progress: null, metadata: {} })), 3);
    expect(noticeOf(budget)).toMatchObject({ kind: 'budget_passed', message: 'project budget $5 passed' });
    const merge = at(recorded({ type: 'project', id: 'p1' }, AutopilotNeedsInput({ taskId: 't', attemptId: 'a', heldTaskId: 't', into: 'main', files: ['x'], message: 'conflicts in x' })), 4);
    expect(noticeOf(merge)).toMatchObject({ kind: 'merge_failed', projectId: 'p1', sessionId: null });
  });

  it("ignores an attempt seat's or a startup sequence's events (not sessions)", () => {
    const seat = at(recorded({ type: 'session', id: 'attempt-a1' }, SessionStatusChanged({ from: 'working', to: 'needs_input', source: 'agent', reason: 'x' })), 5);
    expect(noticeOf(seat)).toBeNull();
  });

  it('sends a test to its channel only', () => {
    const t = at(recorded({ type: 'notification_channel', id: 'c9' }, NotificationTestRequested({ testId: 't1' })), 7);
    expect(noticeOf(t)).toMatchObject({ kind: 'test', channelId: 'c9' });
  });
});

describe('channelsFor', () => {
  const base: ChannelTarget = { id: 'c', ownerId: 'u1', projectId: null, format: 'json', url: 'http://127.0.0.1/x', secret: 's'.repeat(16), kinds: ['needs_input'], projectIds: [], definedSeq: 1, removed: false };
  const notice = { kind: 'needs_input' as const, projectId: 'p1', sessionId: 's1', channelId: null, title: 't', message: 'm' };
  const member = (owner: string, project: string) => owner === 'u1' && project === 'p1';

  it("a user's channel hears the projects its owner may see, or only those its rules name", () => {
    expect(channelsFor(notice, 10, [base], member).map((c) => c.id)).toEqual(['c']);
    expect(channelsFor({ ...notice, projectId: 'p2' }, 10, [base], member)).toEqual([]);
    expect(channelsFor(notice, 10, [{ ...base, projectIds: ['p3'] }], () => true)).toEqual([]);
  });

  it("a project's channel hears its project while its owner may see it", () => {
    const c = { ...base, projectId: 'p1' };
    expect(channelsFor(notice, 10, [c], member)).toHaveLength(1);
    expect(channelsFor(notice, 10, [c], () => false)).toEqual([]);
    expect(channelsFor({ ...notice, projectId: 'p2' }, 10, [{ ...c }], () => true)).toEqual([]);
  });

  it('skips other kinds, removed channels, channels defined after the event, and notices of no known project', () => {
    expect(channelsFor({ ...notice, kind: 'failed' }, 10, [base], member)).toEqual([]);
    expect(channelsFor(notice, 10, [{ ...base, removed: true }], member)).toEqual([]);
    expect(channelsFor(notice, 10, [{ ...base, definedSeq: 10 }], member)).toEqual([]);
    expect(channelsFor({ ...notice, projectId: null }, 10, [base], () => true)).toEqual([]);
  });

  it('derives the same delivery id from the same event and channel, another from another', () => {
    expect(deliveryId('e1', 'c1')).toBe(deliveryId('e1', 'c1'));
    expect(deliveryId('e1', 'c1')).not.toBe(deliveryId('e1', 'c2'));
    expect(deliveryId('e1', 'c1')).toMatch(/^nd_[0-9a-f]{32}$/);
  });
});

describe('webhookRequest', () => {
  const content: DeliveryContent = { deliveryId: 'nd_1', eventId: 'e1', kind: 'needs_input', projectId: 'p1', sessionId: 's1', title: 'An agent needs input', message: 'Which branch?', occurredAt: '2026-01-01T00:00:00.000Z', link: linkFor('https://baton.example.com/', { projectId: 'p1', sessionId: 's1' }) };
  const secret = 'k'.repeat(20);

  it("links a session's notice to its answer box", () => {
    expect(content.link).toBe('https://baton.example.com/projects/p1/sessions/s1#answer');
    expect(linkFor('http://x', { projectId: null, sessionId: null })).toBe('http://x/inbox');
  });

  it('signs "<timestamp>.<body>" with HMAC-SHA256 and names the delivery in a header', () => {
    const req = webhookRequest('json', secret, content, '1700000000');
    const expected = createHmac('sha256', secret).update(`1700000000.${req.body}`).digest('hex');
    expect(req.headers['X-Baton-Signature']).toBe(`sha256=${expected}`);
    expect(req.headers['X-Baton-Delivery']).toBe('nd_1');
    expect(JSON.parse(req.body)).toMatchObject({ id: 'nd_1', kind: 'needs_input', sessionId: 's1', link: content.link });
    expect(signature(secret, '1700000001', req.body)).not.toBe(req.headers['X-Baton-Signature']);
  });

  it('speaks Slack ({text, blocks}) and ntfy (message body; Title, Click, Tags headers)', () => {
    const slack = JSON.parse(webhookRequest('slack', secret, content, '1').body) as { text: string; blocks: unknown[] };
    expect(slack.text).toContain('Which branch?');
    expect(slack.text).toContain(content.link);
    expect(slack.blocks).toHaveLength(2);
    const ntfy = webhookRequest('ntfy', secret, { ...content, title: 'Ünïcode title' }, '1');
    expect(ntfy.body).toBe('Which branch?');
    expect(ntfy.headers).toMatchObject({ Title: '?n?code title', Click: content.link, Tags: 'question' });
  });
});

describe('retry policy', () => {
  it('delivers on 2xx, retries network errors, 408, 429 and 5xx, and gives up on other answers', () => {
    expect([200, 204].map(verdictOf)).toEqual(['delivered', 'delivered']);
    expect([null, 408, 429, 500, 503].map(verdictOf)).toEqual(['retry', 'retry', 'retry', 'retry', 'retry']);
    expect([301, 400, 401, 404, 410].map(verdictOf)).toEqual(['refused', 'refused', 'refused', 'refused', 'refused']);
  });

  it('doubles the wait from the first, caps it, and stops after the last try', () => {
    const policy = { firstDelayMs: 1_000, maxDelayMs: 5_000, maxAttempts: 5 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy))).toEqual([1_000, 2_000, 4_000, 5_000]);
    expect(retryDelayMs(5, policy)).toBeNull();
    expect(retryDelayMs(3, policy, 0.99)).toBeLessThanOrEqual(5_000);
    expect(retryDelayMs(1, policy, 0.5)).toBe(1_100);
  });
});

describe(webhookUrlProblem.name, () => {
  it('takes http(s), loopback included; refuses other schemes and link-local or metadata addresses', () => {
    expect(webhookUrlProblem('https://hooks.slack.com/services/T/B/x')).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook')).toBeNull();
    expect(webhookUrlProblem('ftp://example.com/')).toMatch(/http\(s\)/);
    expect(webhookUrlProblem('not a url')).toMatch(/absolute/);
    expect(webhookUrlProblem('http://169.254.169.254/latest/meta-data')).toMatch(/link-local/);
    expect(webhookUrlProblem('http://metadata.google.internal/')).toMatch(/metadata/);
    expect(webhookUrlProblem('http://2852039166/')).toMatch(/link-local/);
    expect(webhookUrlProblem('http://[fe80::1]/')).toMatch(/link-local/);
    expect(webhookUrlProblem('http://[::ffff:169.254.169.254]/')).toMatch(/link-local/);
  });
});
