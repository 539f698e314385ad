/*
 * What OpenCode's bus events (forwarded by Baton's plugin, see opencode.plugin.ts) mean for
 * Baton. The payload is the event itself: `{ type, properties }`. Pure apart from `ctx.state`
 * (conversation and usage already reported), and never throws.
 */
import type { AgentSignal, SignalContext } from '../types';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The conversation id, once per id (a resumed session has no `session.created`, so busy reports it too). */
function conversation(sessionId: string | null, ctx: SignalContext): AgentSignal[] {
  if (!sessionId || !sessionId.startsWith('ses') || ctx.state.get('conversation') === sessionId) return [];
  ctx.state.set('conversation', sessionId);
  return [{ kind: 'conversation', id: sessionId }];
}

/** `permission.asked`: `permission` is the rule (bash, edit, webfetch, external_directory, …); `metadata` says what. */
function permissionAsked(p: Obj): AgentSignal[] {
  const tool = str(p['permission']) ?? 'tool';
  const meta = obj(p['metadata']);
  const patterns = Array.isArray(p['patterns']) ? p['patterns'].filter((x): x is string => typeof x === 'string') : [];
  const detail = str(meta['command']) ?? str(meta['filepath']) ?? str(meta['filePath']) ?? str(meta['url']) ?? patterns.join(', ');
  return [{ kind: 'needs_input', reason: 'permission', message: clip(`Permission required: ${tool}${detail ? ` ${detail}` : ''}`), permission: { tool, detail } }];
}

function questionAsked(p: Obj): AgentSignal[] {
  const questions = Array.isArray(p['questions']) ? p['questions'].map(obj) : [];
  const text = questions.map((q) => str(q['question']) ?? str(q['header'])).filter((q): q is string => q !== null).join(' / ');
  return [{ kind: 'needs_input', reason: 'question', message: clip(text || 'The agent asks a question') }];
}

/** `session.idle` carries the turn's last assistant text (added by the plugin): a closing question waits for the user. */
function idle(p: Obj): AgentSignal[] {
  const last = (str(p['lastAssistantText']) ?? '').trim();
  if (last.endsWith('?')) return [{ kind: 'needs_input', reason: 'question', message: clip(last) }];
  return [{ kind: 'status', status: 'idle', message: last ? clip(last, 120) : 'Waiting for input' }];
}

/** One finished assistant message (plugin sends it once): its tokens, and OpenCode's cost when the model has prices. */
function usage(p: Obj, ctx: SignalContext): AgentSignal[] {
  const info = obj(p['info']);
  if (info['role'] !== 'assistant' || !isObj(info['time']) || !info['time']['completed']) return [];
  const id = str(info['id']);
  const seen = Array.isArray(ctx.state.get('usageReported')) ? (ctx.state.get('usageReported') as unknown[]) : [];
  if (id && seen.includes(id)) return [];
  const tokens = obj(info['tokens']);
  const cache = obj(tokens['cache']);
  const inputTokens = num(tokens['input']);
  const outputTokens = num(tokens['output']) + num(tokens['reasoning']);
  const cacheReadTokens = num(cache['read']);
  const cacheWriteTokens = num(cache['write']);
  if (id) ctx.state.set('usageReported', [...seen, id].slice(-200));
  if (!inputTokens && !outputTokens && !cacheReadTokens && !cacheWriteTokens) return [];
  const cost = num(info['cost']);
  const provider = str(info['providerID']);
  const modelId = str(info['modelID']);
  const model = modelId ? (provider && provider !== 'baton' ? `${provider}/${modelId}` : modelId) : null;
  return [{ kind: 'usage', model, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, costUsd: cost > 0 ? cost : null }];
}

export function translateOpencodeSignal(event: string, payload: unknown, ctx: SignalContext): AgentSignal[] {
  try {
    const p = obj(obj(payload)['properties']);
    const sessionId = str(p['sessionID']);
    switch (event) {
      case 'baton.init':
        return [{ kind: 'register' }];
      case 'session.created':
        return isObj(p['info']) && p['info']['parentID'] ? [] : conversation(str(obj(p['info'])['id']) ?? sessionId, ctx);
      case 'session.status': {
        const status = obj(p['status']);
        if (status['type'] === 'busy') return [...conversation(sessionId, ctx), { kind: 'status', status: 'working', message: 'Working' }];
        if (status['type'] === 'retry') return [{ kind: 'status', status: 'working', message: clip(`Retrying: ${str(status['message']) ?? 'model request failed'}`) }];
        if (status['type'] === 'idle') return [{ kind: 'status', status: 'idle', message: 'Waiting for input' }];
        return [];
      }
      case 'session.idle':
        return idle(p);
      case 'session.error': {
        const err = obj(p['error']);
        const message = str(obj(err['data'])['message']) ?? str(err['name']) ?? 'error';
        return [{ kind: 'status', status: 'idle', message: clip(`Error: ${message}`) }];
      }
      case 'permission.asked':
        return permissionAsked(p);
      case 'permission.replied': {
        const reply = str(p['reply']) ?? 'answered';
        return [
          { kind: 'input_answered', message: `Permission ${reply}` },
          { kind: 'status', status: 'working', message: 'Working' },
        ];
      }
      case 'question.asked':
        return questionAsked(p);
      case 'question.replied':
      case 'question.rejected':
        return [
          { kind: 'input_answered', message: event === 'question.replied' ? 'Question answered' : 'Question dismissed' },
          { kind: 'status', status: 'working', message: 'Working' },
        ];
      case 'message.updated':
        return usage(p, ctx);
      default:
        return [];
    }
  } catch {
    return [];
  }
}
