import { Writable } from 'node:stream';
import { createLogger, scrubSecrets } from './logger';
import { logContext } from './correlation';

function capture(env: NodeJS.ProcessEnv = {}) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { sut: createLogger('tasks', 'debug', { destination, env }), lines };
}

describe(createLogger.name, () => {
  it('writes JSON lines that carry the correlation and command ids of what is being handled', async () => {
    const { sut, lines } = capture();
    sut.info({ a: 1 }, 'outside');
    await logContext.run({ correlationId: 'corr-1', commandId: 'cmd-1', commandType: 'project.create' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      sut.child({ part: 'x' }).warn({ b: 2 }, 'inside');
    });
    expect(lines[0]).toMatchObject({ service: 'tasks', msg: 'outside', a: 1 });
    expect(lines[0]).not.toHaveProperty('correlationId');
    expect(lines[1]).toMatchObject({ service: 'tasks', msg: 'inside', part: 'x', b: 2, correlationId: 'corr-1', commandId: 'cmd-1', commandType: 'project.create' });
  });

  it('redacts tokens, authorization headers and environments by path', () => {
    const { sut, lines } = capture();
    sut.info({ token: 'btn_abc', headers: { authorization: 'Bearer x' }, req: { headers: { authorization: 'Bearer y', cookie: 'c=1' } }, launch: { env: { OPENAI_API_KEY: 'sk-1' } } }, 'paths');
    const line = JSON.stringify(lines[0]);
    for (const secret of ['btn_abc', 'Bearer x', 'Bearer y', 'c=1', 'sk-1']) expect(line).not.toContain(secret);
    expect(lines[0]).toMatchObject({ token: '[redacted]', headers: { authorization: '[redacted]' }, launch: { env: { OPENAI_API_KEY: '[redacted]' } } });
  });

  it('scrubs secrets from messages and errors, including the values of secret environment variables', () => {
    const bootstrap = 'btn_live_0123456789abcdefghij';
    const { sut, lines } = capture({ BATON_BOOTSTRAP_TOKEN: bootstrap, RUNNER_SECRET: 'supersecretvalue', HOME: '/root' });
    sut.warn(`refused Bearer ${bootstrap} from postgres://baton:hunter22@db:5432/baton`);
    sut.error({ err: new Error('token supersecretvalue rejected') }, 'failed');
    const text = JSON.stringify(lines);
    for (const secret of [bootstrap, 'hunter22', 'supersecretvalue']) expect(text).not.toContain(secret);
    expect(lines[0].msg).toBe('refused Bearer [redacted] from postgres://baton:[redacted]@db:5432/baton');
    expect((lines[1].err as { message: string }).message).toBe('token [redacted] rejected');
  });
});

describe(scrubSecrets.name, () => {
  it.each([
    ['Authorization: Bearer abc.def-ghi', 'Authorization: Bearer [redacted]'],
    ['agent bat_s.eyJzZXNzaW9uIjoiMSJ9.sig', 'agent [redacted]'],
    ['nats://user:pw@host:4222', 'nats://user:[redacted]@host:4222'],
    ['nothing to hide here', 'nothing to hide here'],
  ])('%s', (text, expected) => {
    expect(scrubSecrets(text)).toBe(expected);
  });
});
