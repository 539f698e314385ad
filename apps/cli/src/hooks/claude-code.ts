import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../context';
import type { SessionApi } from '../sessions/session-api';
import { isZero, readReported, transcriptTotals, usageDelta, writeReported } from './claude-usage';

/** The hook events `.claude` settings wire to `baton hook claude-code <Event>` (apps/sessions/src/launch/claude-hooks.ts), plus PostToolUse. */
export const CLAUDE_HOOK_EVENTS = ['SessionStart', 'UserPromptSubmit', 'Notification', 'Stop', 'PostToolUse'] as const;
export type ClaudeHookEvent = (typeof CLAUDE_HOOK_EVENTS)[number];

/** The fields of Claude Code's hook input Baton reads. */
export interface ClaudeHookInput {
  session_id?: string;
  transcript_path?: string;
  hook_event_name?: string;
  message?: string;
  prompt?: string;
  source?: string;
  tool_name?: string;
}

export function parseHookInput(text: string): ClaudeHookInput {
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as ClaudeHookInput) : {};
  } catch {
    return {};
  }
}

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Where the usage already reported per transcript is kept: the session's directory when the runner gave one. */
export const usageStatePath = (env: Env, sessionId: string) => join(env.BATON_SESSION_DIR || tmpdir(), `baton-claude-usage-${sessionId}.json`);

/**
 * One hook call → the reports it stands for. The agent's own hooks are the most trusted
 * status signal (DESIGN §6); a hook never blocks Claude Code, so the caller swallows errors.
 */
export async function handleClaudeHook(api: SessionApi, env: Env, sessionId: string, event: ClaudeHookEvent, input: ClaudeHookInput): Promise<string[]> {
  const done: string[] = [];
  switch (event) {
    case 'SessionStart':
      if (!input.source || input.source === 'startup') {
        await api.register(sessionId, 'claude-code');
        done.push('registered');
      } else {
        await api.status(sessionId, 'idle', `claude-code session ${input.source}`);
        done.push('idle');
      }
      return done;
    case 'UserPromptSubmit':
      await api.status(sessionId, 'working', input.prompt ? clip(`prompt: ${input.prompt.replace(/\s+/g, ' ').trim()}`, 200) : '');
      return ['working'];
    case 'PostToolUse':
      await api.status(sessionId, 'working', input.tool_name ? `used ${input.tool_name}` : '');
      return ['working'];
    case 'Notification':
      await api.report(sessionId, { kind: 'needs_input', message: clip(input.message || 'Claude Code is waiting for you', 2_000) });
      return ['needs_input'];
    case 'Stop': {
      if (input.transcript_path) {
        const reported = await reportTranscriptUsage(api, env, sessionId, input.transcript_path);
        if (reported) done.push('usage');
      }
      await api.status(sessionId, 'idle', 'claude-code finished its turn');
      done.push('idle');
      return done;
    }
    default: {
      const unknown: never = event;
      throw new Error(`unknown hook event ${String(unknown)}`);
    }
  }
}

/** Reports what the transcript spent since the last report; true when there was something. */
export async function reportTranscriptUsage(api: SessionApi, env: Env, sessionId: string, transcriptPath: string): Promise<boolean> {
  let jsonl: string;
  try {
    jsonl = readFileSync(transcriptPath, 'utf8');
  } catch {
    return false;
  }
  const statePath = usageStatePath(env, sessionId);
  const now = transcriptTotals(jsonl);
  const delta = usageDelta(now, readReported(statePath, transcriptPath));
  if (isZero(delta)) return false;
  await api.usage(sessionId, delta);
  writeReported(statePath, transcriptPath, now);
  return true;
}
