import { SECRET_ENV_MARKER, SessionTemplateDefined, SessionTemplateRemoved, SessionTemplateSpecSchema, sessionTemplateCommands, type SessionTemplateEvent } from '@baton/events';
import { command, deciderSpec, recorded } from '@baton/testing';
import type { z } from 'zod';
import { spec } from '../session/__tests__/session-fixtures';
import { BUILTIN_TEMPLATES, builtinSnapshot } from './builtin-templates';
import { canonical, sessionTemplateDecider, type SessionTemplateCommand } from './session-template.decider';

const TPL = { type: 'session_template' as const, id: 'dev-server' };
const defs = new Map(sessionTemplateCommands.map((c) => [c.type as string, c]));
const cmd = (type: SessionTemplateCommand['type'], data: Record<string, unknown>) =>
  command(type, (defs.get(type)!.schema as z.ZodType).parse({ templateId: 'dev-server', ...data })) as SessionTemplateCommand;
const server = spec({ name: 'Dev server', kind: 'command', argv: ['npm', 'run', 'dev'], registration: 'ready_pattern', readyPattern: 'ready in \\d+ ms', autoStart: true });
const define = (s = server, projectId: string | null = 'p1') => cmd('session_template.define', { projectId, spec: s });
const defined = (version = 1, s = server, projectId: string | null = 'p1') => recorded(TPL, SessionTemplateDefined({ projectId, version, spec: s })) as SessionTemplateEvent;

describe('sessionTemplateDecider', () => {
  const sut = deciderSpec(sessionTemplateDecider);

  it('defines version 1, then a new version per change; an unchanged spec adds nothing', () => {
    sut.given([]).when(define()).then([SessionTemplateDefined({ projectId: 'p1', version: 1, spec: server })]);
    sut.given([defined()]).when(define({ ...server, autoStart: false })).then([SessionTemplateDefined({ projectId: 'p1', version: 2, spec: { ...server, autoStart: false } })]);
    sut.given([defined()]).when(define()).then([]);
  });

  it('keeps a template in its project; built-in ids are taken', () => {
    sut.given([defined()]).when(define(server, 'p2')).thenThrows('conflict', /belongs to project p1/);
    sut.given([]).when(cmd('session_template.define', { templateId: 'claude-code', spec: server })).thenThrows('conflict', /built-in/);
  });

  it('removes a template; defining it again revives it with the next version', () => {
    sut.given([defined()]).when(cmd('session_template.remove', {})).then([SessionTemplateRemoved({})]);
    const removed = [defined(), recorded(TPL, SessionTemplateRemoved({})) as SessionTemplateEvent];
    sut.given(removed).when(cmd('session_template.remove', {})).thenThrows('not_found');
    sut.given(removed).when(define()).then([SessionTemplateDefined({ projectId: 'p1', version: 2, spec: server })]);
  });

  describe('secret env values (write-only over the API)', () => {
    const secret = { ...server, env: { OPENAI_API_KEY: 'sk-live-123', LICENSE: 'L-1', MODE: 'fast' }, secretEnv: ['LICENSE'] };
    const readBack = { ...secret, env: { OPENAI_API_KEY: SECRET_ENV_MARKER, LICENSE: SECRET_ENV_MARKER, MODE: 'fast' } };

    it('stores the real values: the event is the record the runner starts from', () => {
      sut.given([]).when(define(secret)).then([SessionTemplateDefined({ projectId: 'p1', version: 1, spec: secret })]);
    });

    it('reads the marker sent back as the stored value: a round trip of a read adds nothing', () => {
      sut.given([defined(1, secret)]).when(define(readBack)).then([]);
      sut
        .given([defined(1, secret)])
        .when(define({ ...readBack, env: { ...readBack.env, MODE: 'slow' } }))
        .then([SessionTemplateDefined({ projectId: 'p1', version: 2, spec: { ...secret, env: { ...secret.env, MODE: 'slow' } } })]);
    });

    it('keeps a marked value that an update leaves out', () => {
      const { LICENSE: _l, ...withoutLicense } = secret.env;
      sut.given([defined(1, secret)]).when(define({ ...secret, env: withoutLicense })).then([]);
    });

    it('refuses the marker when there is no value to keep', () => {
      sut.given([]).when(define(readBack)).thenThrows('validation', /env\.OPENAI_API_KEY: .*none is stored/);
      sut.given([defined()]).when(define({ ...server, secretEnv: ['LICENSE'] })).thenThrows('validation', /secretEnv names LICENSE/);
    });
  });

  it('compares specs by content, not key order', () => {
    expect(canonical({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(canonical({ a: [{ x: 1, y: 2 }], b: 1 }));
  });
});

describe('template specs', () => {
  const parse = (o: Record<string, unknown>) => SessionTemplateSpecSchema.safeParse({ ...server, ...o });

  it('never interpolates argv: a placeholder in an argument is refused', () => {
    const r = parse({ argv: ['sh', '-c', 'echo {{task.title}}'] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/never interpolated/);
  });

  it('knows its variables; BATON_* is Baton’s', () => {
    expect(parse({ env: { TITLE: '{{task.title}}' } }).success).toBe(true);
    expect(JSON.stringify(parse({ env: { X: '{{secrets.aws}}' } }).error?.issues)).toMatch(/unknown variable \{\{secrets.aws\}\}/);
    expect(parse({ env: { BATON_TOKEN: 'x' } }).success).toBe(false);
  });

  it('refuses bad regular expressions and catastrophic ones', () => {
    expect(JSON.stringify(parse({ readyPattern: '(unclosed' }).error?.issues)).toMatch(/valid regular expression/);
    expect(JSON.stringify(parse({ errorPattern: '(a+)+$' }).error?.issues)).toMatch(/exponential/);
  });

  it('keeps paths inside the worktree', () => {
    expect(parse({ copyFiles: ['.env', 'config/local.json'] }).success).toBe(true);
    for (const p of ['../secrets', '/etc/passwd', '~/.ssh/id_rsa', 'a/../../b']) expect(parse({ copyFiles: [p] }).success).toBe(false);
    expect(parse({ workingDirectory: '../x' }).success).toBe(false);
  });

  it('checks rules across fields', () => {
    expect(JSON.stringify(parse({ readyPattern: null }).error?.issues)).toMatch(/needs a readyPattern/);
    expect(parse({ hooks: 'claude-code' }).success).toBe(false);
    expect(parse({ restart: { mode: 'always', backoffMs: 10_000, maxBackoffMs: 1_000, maxRestarts: 1, resetAfterMs: null } }).success).toBe(false);
  });

  it('ships the built-ins DESIGN names, all valid', () => {
    expect(Object.keys(BUILTIN_TEMPLATES).sort()).toEqual(['aider', 'baton-demo-agent', 'claude-code', 'codex', 'gemini', 'opencode', 'shell']);
    for (const id of Object.keys(BUILTIN_TEMPLATES)) {
      const parsed = SessionTemplateSpecSchema.safeParse(BUILTIN_TEMPLATES[id]);
      expect([id, parsed.success ? 'ok' : JSON.stringify(parsed.error.issues)]).toEqual([id, 'ok']);
    }
    expect(builtinSnapshot('claude-code')).toMatchObject({ version: 2, builtIn: true, spec: { agent: 'claude-code', permissionMode: 'ask', registration: 'agent', argv: ['claude'] } });
    expect(builtinSnapshot('nope')).toBeNull();
  });

  it('claude-code’s quota pattern reads the reset time Claude prints', () => {
    const re = new RegExp(BUILTIN_TEMPLATES['claude-code'].quota!.pattern);
    const m = re.exec('Claude usage limit reached. Your limit will reset at 3pm (America/New_York).');
    expect(m?.groups).toMatchObject({ reset: '3pm', tz: 'America/New_York' });
    expect(re.exec('5-hour limit reached ∙ resets 11am')?.groups?.reset).toBe('11am');
    const codex = new RegExp(BUILTIN_TEMPLATES.codex.quota!.pattern);
    expect(codex.exec("You've hit your usage limit. Try again in 2 hours 5 minutes.".toLowerCase())?.groups?.reset).toBe('2 hours 5 minutes');
  });
});
