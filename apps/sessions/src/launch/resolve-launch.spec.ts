import { AGENT_ADAPTERS } from '@baton/agents';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LaunchSpecSchema, type SessionTemplateSpec } from '@baton/events';
import { spec } from '../session/__tests__/session-fixtures';
import { BUILTIN_TEMPLATES } from '../session-template/builtin-templates';
import { CLAUDE_HOOK_EVENTS, claudeCodeSettings } from './claude-hooks';
import { buildManifest } from './manifest';
import { resolveLaunch, substitute, type LaunchContext } from './resolve-launch';

const marker = join(tmpdir(), `baton-pwned-${process.pid}-${Date.now()}`);
const hostile = `$(touch ${marker}) \`touch ${marker}\`; touch ${marker} && echo {{prompt}} $BATON_TOKEN "quoted" 'single'`;

function context(o: Partial<LaunchContext> = {}): LaunchContext {
  const tasks = [{ id: 't1', title: hostile, description: `line one\n$(touch ${marker})`, acceptanceCriteria: [] }];
  return {
    sessionId: 's1',
    role: 'worker',
    name: 'fix it',
    projectId: 'p1',
    attemptId: 'a1',
    branch: 'baton/fix-it-a1',
    parentSessionId: null,
    tasks,
    prompt: `Please work on: ${hostile}`,
    apiUrl: 'http://localhost:3000',
    token: 'tok-123',
    port: 41_001,
    projectEnv: { NODE_ENV: 'development', BATON_TOKEN: 'project cannot set this' },
    manifest: buildManifest({
      session: { id: 's1', name: 'fix it', role: 'worker', strategy: 'simple', templateId: 'tpl', templateName: 'Agent' },
      project: { id: 'p1', name: 'Web' },
      attempt: { id: 'a1', branch: 'baton/fix-it-a1', baseBranch: 'main' },
      tasks,
      parent: null,
      apiUrl: 'http://localhost:3000',
    }),
    ...o,
  };
}

describe(resolveLaunch.name, () => {
  it('passes argv exactly as the template wrote it; values travel as environment and files', () => {
    const template = spec({ argv: ['sh', '-c', 'exec agent "$BATON_TASK_TITLE"'], env: { TITLE: 'Task: {{task.title}}', MODE: 'fast' } });
    const sut = resolveLaunch(template, context());
    expect(sut.argv).toEqual(['sh', '-c', 'exec agent "$BATON_TASK_TITLE"']);
    expect(sut.env).toMatchObject({
      TITLE: `Task: ${hostile}`,
      MODE: 'fast',
      NODE_ENV: 'development',
      BATON_SESSION_ID: 's1',
      BATON_TOKEN: 'tok-123',
      BATON_TASK_TITLE: hostile,
      BATON_TASK_ID: 't1',
      BATON_ATTEMPT_ID: 'a1',
      BATON_BRANCH: 'baton/fix-it-a1',
      BATON_PORT: '41001',
      BATON_API_URL: 'http://localhost:3000',
    });
    expect(sut.cwd).toBe('.');
    expect(sut.files.map((f) => [f.path, f.exportAs])).toEqual([
      ['manifest.md', 'BATON_MANIFEST'],
      ['manifest.json', 'BATON_MANIFEST_JSON'],
      ['prompt.md', 'BATON_PROMPT_FILE'],
    ]);
    expect(() => LaunchSpecSchema.parse(sut)).not.toThrow();
  });

  it('substitutes once, as plain text: a value that looks like a placeholder stays itself', () => {
    expect(substitute('{{task.title}}/{{prompt}}', { 'task.title': '{{prompt}}', prompt: 'p' })).toBe('{{prompt}}/p');
    expect(substitute('{{unknown}}', {})).toBe('{{unknown}}');
  });

  it('Baton’s variables win over the template’s and the project’s', () => {
    const sut = resolveLaunch(spec(), context());
    expect(sut.env.BATON_TOKEN).toBe('tok-123');
  });

  it('puts the prompt and the manifest in the prompt file; hooks settings only for Claude Code', () => {
    const sut = resolveLaunch(spec(), context());
    const prompt = sut.files.find((f) => f.path === 'prompt.md')!.content;
    expect(prompt.startsWith(`Please work on: ${hostile}`)).toBe(true);
    expect(prompt).toContain('## How to report');
    expect(resolveLaunch(spec(), context({ prompt: null })).files.find((f) => f.path === 'prompt.md')!.content).toBe(context().manifest.markdown);
    const claude = resolveLaunch(spec({ kind: 'agent', hooks: 'claude-code' }), context());
    expect(claude.files.find((f) => f.exportAs === 'BATON_CLAUDE_SETTINGS')?.content).toBe(claudeCodeSettings());
  });

  it('keeps BATON_PROMPT under the kernel’s limit for one environment string; the file has it all', () => {
    const long = 'é'.repeat(100_000);
    const sut = resolveLaunch(spec(), context({ prompt: long }));
    expect(Buffer.byteLength(sut.env.BATON_PROMPT)).toBeLessThan(128 * 1024);
    expect(sut.env.BATON_PROMPT).toMatch(/\[truncated: read \$BATON_PROMPT_FILE\]$/);
    expect(sut.files.find((f) => f.path === 'prompt.md')!.content).toContain(long);
  });

  describe('a hostile task title stays data when really executed', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'baton-launch-'));
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(marker, { force: true });
    });

    /** Does what a runner does: writes the files, exports their paths, execs argv (no shell line of Baton's own). */
    function run(template: SessionTemplateSpec, argvOverride?: string[], extraEnv: Record<string, string> = {}): string {
      const launch = resolveLaunch(template, context());
      const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...launch.env, ...extraEnv };
      for (const f of launch.files) {
        writeFileSync(join(dir, f.path), f.content, { mode: f.mode });
        if (f.exportAs) env[f.exportAs] = join(dir, f.path);
      }
      const [program, ...args] = argvOverride ?? launch.argv;
      return execFileSync(program, args, { env, cwd: dir, encoding: 'utf8' });
    }

    it('through a template that uses a shell and every variable', () => {
      const template = spec({
        argv: ['sh', '-c', 'printf "%s\\n" "$BATON_TASK_TITLE" "$TITLE" "$BATON_PROMPT" "$(cat "$BATON_PROMPT_FILE")" > out.txt; printf %s $BATON_TASK_TITLE >> out.txt'],
        env: { TITLE: '{{task.title}}' },
      });
      run(template);
      expect(existsSync(marker)).toBe(false);
      expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toContain(hostile);
    });

    it('through every real agent adapter’s command line (the agent program replaced by a printer)', () => {
      const printer = join(dir, 'printer');
      writeFileSync(printer, '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
      for (const adapter of Object.values(AGENT_ADAPTERS)) {
        for (const resumeId of [null, hostile]) {
          const launch = adapter.launch({ program: printer, permissionMode: 'ask', resumeId, hasPrompt: true, model: null });
          const out = run({ ...BUILTIN_TEMPLATES[adapter.id], env: {} }, launch.argv, { ...launch.env, BATON_AGENT_PROGRAM: printer });
          expect([adapter.id, existsSync(marker)]).toEqual([adapter.id, false]);
          expect(out).toContain(hostile);
        }
      }
    });
  });
});

describe(claudeCodeSettings.name, () => {
  it('hooks every status event to `baton hook claude-code <Event>`', () => {
    const settings = JSON.parse(claudeCodeSettings()) as { hooks: Record<string, { hooks: { type: string; command: string }[] }[]> };
    expect(Object.keys(settings.hooks)).toEqual([...CLAUDE_HOOK_EVENTS]);
    expect(settings.hooks.Stop[0].hooks[0]).toMatchObject({ type: 'command', command: '"${BATON_CLI:-baton}" hook claude-code Stop' });
  });
});
