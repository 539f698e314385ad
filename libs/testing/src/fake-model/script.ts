/*
 * A scripted model for conformance tests: the real agent CLIs talk to it as if it were their
 * provider. The script is keyed by markers in the user's text, and the position inside a turn is
 * read from the conversation the agent sends (tool rounds since the last user text), so the
 * server keeps no per-conversation state and an agent's retries or side requests change nothing.
 */

/** One model step inside a turn: a tool call the agent must carry out, then the next step. */
export type ToolStep =
  /**
   * Run a shell command (the agent's shell tool). `escalate`: ask to run it outside the agent's
   * sandbox — how a model makes Codex ask for permission (it asks for nothing else in `on-request`).
   */
  | { kind: 'shell'; command: string; escalate?: boolean }
  /** Write a file, path relative to the agent's working directory (the agent's write tool). */
  | { kind: 'write'; path: string; content: string };

export interface Turn {
  /** Picks the turn: the last user text contains this string (or matches this pattern). */
  match: string | RegExp;
  /** Tool calls, one model response each, in order. */
  steps: ToolStep[];
  /** The assistant's closing text once every step has run. */
  reply: string;
  /** Token usage reported on every response of this turn (defaults: 120 in, 30 out). */
  usage?: { input: number; output: number };
}

export interface Script {
  turns: Turn[];
  /** Reply when no turn matches (e.g. an agent's own side request). */
  fallback?: string;
}

export interface OfferedTool {
  name: string;
  /** Top-level property names of its input schema. */
  properties: string[];
}

/** What a protocol handler extracted from one request. */
export interface ConversationView {
  /** Every user text in order (tool results excluded); the last one picks the turn. */
  userTexts: string[];
  /** Tool-call rounds the assistant made after the last user text. */
  toolRoundsSinceUser: number;
  tools: OfferedTool[];
  model: string | null;
  /** The agent's working directory when its request names one (a write tool may want absolute paths). */
  cwd?: string | null;
}

export type Decision =
  | { kind: 'text'; text: string; usage: { input: number; output: number } }
  | { kind: 'tool'; name: string; input: Record<string, unknown>; callId: string; usage: { input: number; output: number } };

const DEFAULT_USAGE = { input: 120, output: 30 };

const matches = (turn: Turn, text: string) => (typeof turn.match === 'string' ? text.includes(turn.match) : turn.match.test(text));

/** The turn for a conversation: the last user text that matches one, searched from the end. */
export function findTurn(script: Script, userTexts: string[]): Turn | null {
  const last = userTexts[userTexts.length - 1] ?? '';
  return script.turns.find((t) => matches(t, last)) ?? null;
}

let callCounter = 0;
export const nextCallId = (prefix = 'call') => `${prefix}_${Date.now().toString(36)}${(callCounter++).toString(36)}`;

export function decide(script: Script, view: ConversationView): Decision {
  const turn = findTurn(script, view.userTexts);
  if (!turn) return { kind: 'text', text: script.fallback ?? 'OK', usage: DEFAULT_USAGE };
  const usage = turn.usage ?? DEFAULT_USAGE;
  // An agent's side request (titles, summaries) offers no tools: answer it with text.
  const step = view.tools.length ? turn.steps[view.toolRoundsSinceUser] : undefined;
  if (!step) return { kind: 'text', text: turn.reply, usage };
  const call = toolCallFor(step.kind === 'write' && view.cwd && !step.path.startsWith('/') ? { ...step, path: `${view.cwd}/${step.path}` } : step, view.tools);
  if (!call) return { kind: 'text', text: `(fake model: no tool for ${step.kind} among ${view.tools.map((t) => t.name).join(', ')})`, usage };
  return { kind: 'tool', ...call, callId: nextCallId(), usage };
}

/*
 * Each agent names its tools and their inputs its own way. The table lists, per step kind, the
 * tool names the real CLIs offer and how to fill their input; the first one offered wins.
 */
type Shape = { name: string; input: (step: never) => Record<string, unknown> };
const SHELL_SHAPES: Shape[] = [
  { name: 'Bash', input: (s: { command: string }) => ({ command: s.command, description: 'Run a command' }) }, // Claude Code
  { name: 'exec_command', input: (s: { command: string; escalate?: boolean }) => ({ cmd: s.command, ...(s.escalate ? { sandbox_permissions: 'require_escalated', justification: 'needs to run outside the sandbox' } : {}) }) }, // Codex (unified exec)
  { name: 'shell_command', input: (s: { command: string }) => ({ command: s.command }) }, // Codex
  { name: 'shell', input: (s: { command: string }) => ({ command: ['bash', '-lc', s.command] }) }, // Codex (classic)
  { name: 'run_shell_command', input: (s: { command: string }) => ({ command: s.command, description: 'Run a command' }) }, // Gemini CLI
  { name: 'bash', input: (s: { command: string }) => ({ command: s.command }) }, // OpenCode 1.18 (schema: command, timeout, workdir)
];
const WRITE_SHAPES: Shape[] = [
  { name: 'Write', input: (s: { path: string; content: string }) => ({ file_path: s.path, content: s.content }) }, // Claude Code (absolute path: see below)
  { name: 'write_file', input: (s: { path: string; content: string }) => ({ file_path: s.path, content: s.content }) }, // Gemini CLI
  { name: 'write', input: (s: { path: string; content: string }) => ({ filePath: s.path, content: s.content }) }, // OpenCode
];

export function toolCallFor(step: ToolStep, tools: OfferedTool[]): { name: string; input: Record<string, unknown> } | null {
  const offered = new Set(tools.map((t) => t.name));
  const shapes = step.kind === 'shell' ? SHELL_SHAPES : WRITE_SHAPES;
  const shape = shapes.find((s) => offered.has(s.name));
  if (shape) return { name: shape.name, input: shape.input(step as never) };
  // An agent without a write tool (Codex) writes through its shell.
  if (step.kind === 'write') {
    const b64 = Buffer.from(step.content).toString('base64');
    return toolCallFor({ kind: 'shell', command: `mkdir -p "$(dirname '${step.path}')" && echo '${b64}' | base64 -d > '${step.path}'` }, tools);
  }
  return null;
}
