import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { adapterFor, AGENT_STATE_FILE, parseAgentConversation, type AgentAdapter, type AgentConversation, type AgentFile } from '@baton/agents';
import type { RunnerStart } from '@baton/events';
import { gitDirs } from './sandbox';

/*
 * A real agent's launch on this runner (DESIGN §5, docs/decisions/0016). Its home lives per
 * attempt under the runner's data dir: a later session of the attempt on this runner finds the
 * agent's conversation there, so the runner is also where the resume id is known. The agent's
 * hooks (`baton hook <agent> …`) write that id into the home's AGENT_STATE_FILE.
 */
export interface AgentLaunchPlan {
  adapter: AgentAdapter;
  argv: string[];
  env: Record<string, string>;
  home: string;
  resumeId: string | null;
  /** The git dirs a commit in the worktree writes (its own and the repository's common dir). */
  gitDirs: string[];
}

export const agentHomeDir = (dataDir: string, start: Pick<RunnerStart, 'sessionId' | 'workspace'>) =>
  join(dataDir, 'agent-homes', start.workspace.kind === 'attempt' ? `attempt-${start.workspace.attemptId}` : `session-${start.sessionId}`);

export async function readAgentState(home: string): Promise<AgentConversation | null> {
  return parseAgentConversation(await readFile(join(home, AGENT_STATE_FILE), 'utf8').catch(() => null));
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** `over` wins, objects merge key by key: an agent's own state survives what Baton re-seeds. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

async function writeAgentFile(home: string, file: AgentFile): Promise<void> {
  const path = resolve(home, file.path);
  if (!path.startsWith(`${home}/`)) throw new Error(`agent file ${file.path} is outside the agent home`);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let content = file.content;
  if (file.merge === 'json') {
    const existing = await readFile(path, 'utf8').then((t) => JSON.parse(t) as unknown, () => null);
    content = JSON.stringify(deepMerge(existing, JSON.parse(file.content) as unknown), null, 2);
  }
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: file.mode ?? 0o600 });
  await rename(tmp, path);
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface PrepareAgentInput {
  start: RunnerStart;
  dataDir: string;
  worktree: string;
  /** The session's environment as built so far (operator keys, BATON_* variables). */
  env: Record<string, string>;
  /** Absolute path of the `baton` launcher the runner installed. */
  batonLauncher: string;
  gitAuthor: { name: string; email: string };
}

/**
 * Prepares the agent's home and says what to exec. A restart of the same session resumes its
 * conversation with a "continue" message instead of its first prompt again; a new session of
 * the attempt resumes it with its own prompt (the follow-up).
 */
export async function prepareAgentLaunch(input: PrepareAgentInput): Promise<AgentLaunchPlan> {
  const { start } = input;
  const agent = start.agent!;
  const adapter = adapterFor(agent.id);
  if (!adapter) throw new Error(`this runner has no adapter for agent ${agent.id}`);
  const home = agentHomeDir(input.dataDir, start);
  await mkdir(home, { recursive: true, mode: 0o700 });
  const state = await readAgentState(home);
  const resumeId = state?.agent === agent.id ? state.conversationId : null;
  // Only inside the data dir: a `.git` the agent planted in its worktree must not name a directory of the runner's.
  const writableGitDirs = await gitDirs(input.worktree, [input.dataDir]);
  const prepared = adapter.prepareHome({
    home,
    worktree: input.worktree,
    gitWritableDirs: writableGitDirs,
    env: input.env,
    permissionMode: agent.permissionMode,
    batonCommand: shellQuote(input.batonLauncher),
    gitAuthor: input.gitAuthor,
  });
  for (const file of prepared.files) await writeAgentFile(home, file);
  const env: Record<string, string> = { ...input.env, ...prepared.env, BATON_AGENT: agent.id, BATON_AGENT_HOME: home, BATON_AGENT_PROGRAM: start.launch.argv[0] };
  if (resumeId) {
    // The conversation already holds the task; send only what is new.
    const text = start.run > 0 || !input.env.BATON_PROMPT ? 'Please continue where you left off.' : input.env.BATON_PROMPT;
    const promptFile = join(home, '.baton-resume-prompt.md');
    await writeFile(promptFile, `${text}\n`, { mode: 0o600 });
    env.BATON_PROMPT_FILE = promptFile;
  }
  const launch = adapter.launch({ program: start.launch.argv[0], permissionMode: agent.permissionMode, resumeId, hasPrompt: true, model: agent.model });
  return { adapter, argv: launch.argv, env: { ...env, ...launch.env }, home, resumeId, gitDirs: writableGitDirs };
}
