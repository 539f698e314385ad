import type { ServerResponse } from 'node:http';
import type { ConversationView, Decision } from './script';
import { sendJson, sseWriter, type ProtocolHandler, type ProtocolRequest } from './server';

/*
 * Anthropic Messages (`POST /v1/messages`, streamed or not), as Claude Code speaks it. A user
 * message made only of tool results is a tool round, not user text; Claude Code's own
 * `<system-reminder>` blocks ride along in user messages and are part of its text.
 */
type Block = { type?: string; text?: string; name?: string; input?: unknown; content?: unknown };
type Message = { role?: string; content?: string | Block[] };
type Body = { model?: string; messages?: Message[]; tools?: { name?: string; input_schema?: { properties?: Record<string, unknown> } }[]; system?: string | Block[]; stream?: boolean };

const blocks = (m: Message): Block[] => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m.content) ? m.content : []);
const systemText = (s: Body['system']): string => (typeof s === 'string' ? s : Array.isArray(s) ? s.map((b) => b.text ?? '').join('\n') : '');

export function anthropicView(body: Body): ConversationView {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const userTexts: string[] = [];
  let toolRounds = 0;
  for (const m of messages) {
    const bs = blocks(m);
    if (m.role === 'user') {
      if (bs.some((b) => b.type === 'tool_result')) continue;
      const text = bs.filter((b) => b.type === 'text').map((b) => b.text ?? '').join('\n');
      if (text.trim()) {
        userTexts.push(text);
        toolRounds = 0;
      }
    } else if (m.role === 'assistant' && bs.some((b) => b.type === 'tool_use')) toolRounds += 1;
  }
  const cwd = /(?:Primary working directory|Working directory):\s*(\S+)/.exec(systemText(body.system))?.[1] ?? null;
  return {
    userTexts,
    toolRoundsSinceUser: toolRounds,
    tools: (body.tools ?? []).filter((t) => t.name).map((t) => ({ name: t.name!, properties: Object.keys(t.input_schema?.properties ?? {}) })),
    model: body.model ?? null,
    cwd,
  };
}

function contentOf(d: Decision): Block[] & { id?: string }[] {
  return d.kind === 'text' ? [{ type: 'text', text: d.text }] : [{ type: 'tool_use', id: d.callId, name: d.name, input: d.input } as Block & { id: string }];
}

export const anthropicMessages: ProtocolHandler = {
  name: 'anthropic',
  accepts: (method, path) => method === 'POST' && path.startsWith('/v1/messages'),
  view(req: ProtocolRequest) {
    if (req.path.split('?')[0] !== '/v1/messages') return null;
    return anthropicView((req.body ?? {}) as Body);
  },
  other(req, res) {
    if (req.path.startsWith('/v1/messages/count_tokens')) return sendJson(res, 200, { input_tokens: 100 });
    sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `fake model: ${req.path}` } });
  },
  respond(req, decision, res: ServerResponse) {
    const body = (req.body ?? {}) as Body;
    const model = body.model ?? 'claude-fake';
    const id = `msg_fake_${Date.now().toString(36)}`;
    const stopReason = decision.kind === 'tool' ? 'tool_use' : 'end_turn';
    const usage = { input_tokens: decision.usage.input, output_tokens: decision.usage.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    if (!body.stream) {
      return sendJson(res, 200, { id, type: 'message', role: 'assistant', model, content: contentOf(decision), stop_reason: stopReason, stop_sequence: null, usage });
    }
    const sse = sseWriter(res);
    sse.send('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } });
    if (decision.kind === 'text') {
      sse.send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
      sse.send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: decision.text } });
    } else {
      sse.send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: decision.callId, name: decision.name, input: {} } });
      sse.send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(decision.input) } });
    }
    sse.send('content_block_stop', { type: 'content_block_stop', index: 0 });
    sse.send('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: decision.usage.output } });
    sse.send('message_stop', { type: 'message_stop' });
    sse.end();
  },
};
