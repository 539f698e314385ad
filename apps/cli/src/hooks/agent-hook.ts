import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AGENT_STATE_FILE, costOf, type AgentAdapter, type AgentConversation, type AgentSignal, type SignalContext } from '@baton/agents';
import type { Env } from '../context';
import type { SessionApi } from '../sessions/session-api';

export function parsePayload(text: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

/** Small state a hook keeps between calls (usage already reported), in the session's own directory. */
export function fileState(env: Env, sessionId: string): SignalContext['state'] & { flush(): void } {
  const path = join(env.BATON_SESSION_DIR || tmpdir(), `baton-agent-hook-${sessionId}.json`);
  let data: Record<string, unknown> = {};
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    data = {};
  }
  let dirty = false;
  return {
    get: (key) => data[key],
    set: (key, value) => {
      data[key] = value;
      dirty = true;
    },
    flush: () => {
      if (!dirty) return;
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
      renameSync(tmp, path);
    },
  };
}

const readFileOrNull = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** The runner resumes this conversation in the attempt's next session (it keeps the agent home per attempt). */
function keepConversation(env: Env, agent: string, conversationId: string): void {
  const home = env.BATON_AGENT_HOME;
  if (!home) return;
  const path = join(home, AGENT_STATE_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  const record: AgentConversation = { agent, conversationId };
  writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
  renameSync(tmp, path);
}

/**
 * What a session waiting for a person shows: for a permission prompt, the same words for every
 * agent — which tool, on what — whatever the agent's own notification says (Gemini's is
 * "Tool Confirm Shell Command requires execution", without the command).
 */
export function needsInputText(adapter: Pick<AgentAdapter, 'displayName'>, s: Extract<AgentSignal, { kind: 'needs_input' }>): string {
  if (!s.permission) return s.message;
  const text = `${adapter.displayName} asks to use ${s.permission.tool}${s.permission.detail ? `: ${s.permission.detail.replace(/\s+/g, ' ').trim()}` : ''}`;
  return text.length > 2_000 ? `${text.slice(0, 1_999)}…` : text;
}

/**
 * One of an agent's own signals (a hook, notify program or plugin event) → Baton reports, in
 * the order the adapter gave them. Returns what was reported. Errors propagate: the caller
 * writes them to stderr and still exits 0, so a Baton hiccup never blocks the agent.
 */
export async function handleAgentSignal(api: SessionApi, env: Env, sessionId: string, adapter: AgentAdapter, event: string, payload: unknown): Promise<string[]> {
  const state = fileState(env, sessionId);
  const signals: AgentSignal[] = adapter.translateSignal(event, payload, { readFile: readFileOrNull, state });
  const conversationId = signals.find((s): s is Extract<AgentSignal, { kind: 'conversation' }> => s.kind === 'conversation')?.id ?? null;
  const done: string[] = [];
  for (const s of signals) {
    switch (s.kind) {
      case 'register':
        await api.register(sessionId, adapter.id, undefined, conversationId);
        break;
      case 'conversation':
        keepConversation(env, adapter.id, s.id);
        break;
      case 'status':
        await api.status(sessionId, s.status, s.message);
        break;
      case 'needs_input':
        await api.status(sessionId, 'needs_input', needsInputText(adapter, s));
        break;
      case 'input_answered':
        await api.status(sessionId, 'working', s.message);
        break;
      case 'usage': {
        const { kind: _k, costUsd, ...tokens } = s;
        // The agent's own figure when it has one, else the one price table's estimate.
        await api.usage(sessionId, { ...tokens, costUsd: costUsd ?? costOf(s.model, tokens) });
        break;
      }
      default: {
        const unknown: never = s;
        throw new Error(`unknown signal ${JSON.stringify(unknown)}`);
      }
    }
    done.push(s.kind);
  }
  state.flush();
  return done;
}
