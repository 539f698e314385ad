/*
 * Codex hook payloads (JSON on the hook's stdin, snake_case, every event has `session_id`,
 * `hook_event_name`, `cwd`, `transcript_path`, `model`) → Baton signals. Usage is in no hook
 * payload: the rollout file at `transcript_path` gets one `token_count` event per model response
 * with `info.last_token_usage`; Stop sums those written since the last read (the offset is kept in
 * the hook state, and SessionStart skips what a resumed rollout already held), so side requests
 * that land after a Stop are counted at the next one and nothing is counted twice.
 */
import type { AgentSignal, SignalContext } from '../types';
import { CODEX_HOOK_EVENTS } from './codex.home';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
const clip = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const AWAITING = 'codex.awaitingPermission';
const OFFSET = 'codex.rolloutOffset';

export interface CodexTokens {
  input: number;
  cached: number;
  cacheWrite: number;
  output: number;
}

/** The end of the last complete line: Codex may be mid-write on the last one. */
const completeEnd = (text: string) => text.lastIndexOf('\n') + 1;

/** Sum of `last_token_usage` over the `token_count` events in a slice of a Codex rollout (JSONL). */
export function sumTokenCounts(rollout: string): CodexTokens {
  const sum: CodexTokens = { input: 0, cached: 0, cacheWrite: 0, output: 0 };
  for (const line of rollout.split('\n')) {
    if (!line.includes('"token_count"')) continue;
    try {
      const entry: unknown = JSON.parse(line);
      const payload = isObj(entry) && isObj(entry.payload) ? entry.payload : null;
      const info = payload && payload.type === 'token_count' && isObj(payload.info) ? payload.info : null;
      const last = info && isObj(info.last_token_usage) ? info.last_token_usage : null;
      if (!last) continue;
      sum.input += num(last.input_tokens);
      sum.cached += num(last.cached_input_tokens);
      sum.cacheWrite += num(last.cache_write_input_tokens);
      sum.output += num(last.output_tokens);
    } catch {
      // not JSON: skip
    }
  }
  return sum;
}

function rolloutOf(p: Json, ctx: SignalContext): string | null {
  const path = str(p.transcript_path);
  return path ? ctx.readFile(path) : null;
}

/** At SessionStart: what a resumed rollout already holds was reported by an earlier session. */
function markRolloutStart(p: Json, ctx: SignalContext): void {
  const rollout = rolloutOf(p, ctx);
  ctx.state.set(OFFSET, rollout ? completeEnd(rollout) : 0);
}

function usageSignal(p: Json, ctx: SignalContext): AgentSignal[] {
  const rollout = rolloutOf(p, ctx);
  if (!rollout) return [];
  const saved = ctx.state.get(OFFSET);
  const end = completeEnd(rollout);
  const from = typeof saved === 'number' && saved >= 0 && saved <= end ? saved : 0;
  ctx.state.set(OFFSET, end);
  const t = sumTokenCounts(rollout.slice(from, end));
  if (t.input + t.output === 0) return [];
  return [
    {
      kind: 'usage',
      model: str(p.model),
      // OpenAI counts cached (and cache-written) input inside input_tokens; Baton keeps them apart.
      inputTokens: Math.max(0, t.input - t.cached - t.cacheWrite),
      outputTokens: t.output,
      cacheReadTokens: t.cached,
      cacheWriteTokens: t.cacheWrite,
      costUsd: null,
    },
  ];
}

/** A pending permission prompt was answered (approved or denied) once Codex moves on. */
function answered(ctx: SignalContext): AgentSignal[] {
  if (ctx.state.get(AWAITING) !== true) return [];
  ctx.state.set(AWAITING, false);
  return [{ kind: 'input_answered', message: 'Permission answered' }];
}

function commandOf(p: Json): string {
  const input = p.tool_input;
  if (isObj(input)) return str(input.command) ?? str(input.cmd) ?? clip(JSON.stringify(input));
  return str(input) ?? '';
}

export function translateCodexSignal(event: string, payload: unknown, ctx: SignalContext): AgentSignal[] {
  if (!(CODEX_HOOK_EVENTS as readonly string[]).includes(event)) return [];
  const p = isObj(payload) ? payload : {};
  const id = str(p.session_id);
  const conversation: AgentSignal[] = id ? [{ kind: 'conversation', id }] : [];
  switch (event) {
    case 'SessionStart':
      markRolloutStart(p, ctx);
      return [{ kind: 'register' }, ...conversation];
    case 'UserPromptSubmit': {
      const prompt = str(p.prompt);
      return [...conversation, ...answered(ctx), { kind: 'status', status: 'working', message: prompt ? `Prompt: ${clip(prompt, 120)}` : 'Working' }];
    }
    case 'PreToolUse':
    case 'PostToolUse': {
      const tool = str(p.tool_name) ?? 'tool';
      const cmd = commandOf(p);
      const message = event === 'PreToolUse' ? `${tool}: ${clip(cmd || tool, 160)}` : `${tool} done`;
      return [...answered(ctx), { kind: 'status', status: 'working', message }];
    }
    case 'PermissionRequest': {
      ctx.state.set(AWAITING, true);
      const tool = str(p.tool_name) ?? 'tool';
      const detail = commandOf(p);
      return [{ kind: 'needs_input', reason: 'permission', message: `Codex asks to run ${tool}: ${clip(detail, 160)}`, permission: { tool, detail } }];
    }
    case 'Stop': {
      const last = str(p.last_assistant_message)?.trim() ?? '';
      const turnEnd: AgentSignal = last.endsWith('?')
        ? { kind: 'needs_input', reason: 'question', message: clip(last, 300) }
        : { kind: 'status', status: 'idle', message: last ? clip(last, 160) : 'Turn finished' };
      return [...conversation, ...answered(ctx), ...usageSignal(p, ctx), turnEnd];
    }
    default:
      return [];
  }
}
