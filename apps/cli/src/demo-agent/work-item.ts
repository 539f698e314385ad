import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Api, Env } from '../context';
import type { QueueTask } from '../sessions/session-views';
import type { DemoManifest } from './manifest';
import type { Reporter } from './reporter';
import type { LineReader, TerminalLog } from './terminal';

/** One piece of work: a task of the session, or (no task) what the prompt asks. */
export interface WorkItem extends QueueTask {
  /** null: not a Baton task (a worker started with a prompt only). */
  taskId: string | null;
}

/** Everything the agent's steps share. */
export interface AgentRun {
  manifest: DemoManifest;
  sessionId: string;
  env: Env;
  cwd: string;
  api: Api;
  reporter: Reporter;
  log: TerminalLog;
  input: LineReader;
  sleep(ms: number): Promise<void>;
  /** The pause between steps (0 with [fast]). */
  stepMs: number;
  /** How often it checks on its workers. */
  pollMs: number;
  /** Whether work is committed (a git worktree of an attempt). */
  commit: boolean;
  branch: string | null;
}

/** How a task ended: done, failed (reported), or failing on purpose so the session restarts. */
export type Outcome = { kind: 'completed'; summary: string } | { kind: 'failed'; reason: string } | { kind: 'restart'; reason: string };

export const DEMO_DIR = 'baton-demo';

export function writeWorktreeFile(run: AgentRun, rel: string, content: string): void {
  const path = join(run.cwd, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

export function readWorktreeFile(run: AgentRun, rel: string): string | null {
  const path = join(run.cwd, rel);
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** The Markdown the agent writes for a task: what was asked, a checklist, the answer it got, its log. */
export interface TaskDoc {
  item: WorkItem;
  checked: boolean;
  answer: { question: string; text: string } | null;
  notes: string[];
}

export function renderTaskDoc(run: AgentRun, doc: TaskDoc): string {
  const { item } = doc;
  const criteria = item.acceptanceCriteria.length ? item.acceptanceCriteria : ['the work is written down and committed'];
  const quote = (s: string) =>
    s
      .trim()
      .split(/\r?\n/)
      .map((l) => `> ${l}`.trimEnd())
      .join('\n');
  const lines = [
    `# ${item.title.replace(/[\r\n]+/g, ' ')}`,
    '',
    `- Task: ${item.taskId ?? '(none: prompt only)'}`,
    `- Session: ${run.sessionId} (${run.manifest.session.role})`,
    ...(run.manifest.attempt ? [`- Attempt: ${run.manifest.attempt.id} on ${run.branch ?? run.manifest.attempt.branch}`] : []),
    '',
    '## Description',
    '',
    item.description.trim() ? quote(item.description) : '_(no description)_',
    '',
    '## Checklist',
    '',
    ...criteria.map((c) => `- [${doc.checked ? 'x' : ' '}] ${c.replace(/[\r\n]+/g, ' ')}`),
    '',
  ];
  if (doc.answer) lines.push('## Answer', '', quote(doc.answer.question), '', doc.answer.text, '');
  if (doc.notes.length) lines.push('## Log', '', ...doc.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
