/*
 * OpenAI Chat Completions as spoken by OpenAI-compatible clients (OpenCode's
 * `@ai-sdk/openai-compatible` provider): POST /v1/chat/completions, streamed as data-only SSE
 * chunks ending in `data: [DONE]` (tool calls as `delta.tool_calls`, usage in a last chunk with
 * no choices when `stream_options.include_usage` is set) or as one JSON body; GET /v1/models.
 */
import type { ServerResponse } from 'node:http';
import type { ConversationView, Decision, OfferedTool } from './script';
import { nextCallId } from './script';
import { sendJson, sseWriter, type ProtocolHandler, type ProtocolRequest } from './server';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The text of a message's content: a string, or the `text` parts of a parts array. */
export function chatContentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return arr(content)
    .map((p) => (isObj(p) && p['type'] === 'text' && typeof p['text'] === 'string' ? p['text'] : ''))
    .filter((t) => t.length > 0)
    .join('\n');
}

function offeredTools(body: Json): OfferedTool[] {
  return arr(body['tools']).flatMap((t) => {
    const fn = isObj(t) && isObj(t['function']) ? t['function'] : null;
    if (!fn || typeof fn['name'] !== 'string') return [];
    const params = isObj(fn['parameters']) && isObj(fn['parameters']['properties']) ? fn['parameters']['properties'] : {};
    return [{ name: fn['name'], properties: Object.keys(params) }];
  });
}

/**
 * Rules: user texts are the `role: user` messages with text (tool results are `role: tool`, so
 * they never count); tool rounds are the assistant messages carrying `tool_calls` after the last
 * user message that has text.
 */
export function chatConversationView(body: unknown): ConversationView | null {
  if (!isObj(body) || !Array.isArray(body['messages'])) return null;
  const userTexts: string[] = [];
  let toolRoundsSinceUser = 0;
  for (const m of body['messages']) {
    if (!isObj(m)) continue;
    if (m['role'] === 'user') {
      const text = chatContentText(m['content']);
      if (text) {
        userTexts.push(text);
        toolRoundsSinceUser = 0;
      }
    } else if (m['role'] === 'assistant' && arr(m['tool_calls']).length > 0) {
      toolRoundsSinceUser++;
    }
  }
  return { userTexts, toolRoundsSinceUser, tools: offeredTools(body), model: typeof body['model'] === 'string' ? body['model'] : null };
}

function usageOf(d: Decision): Json {
  return {
    prompt_tokens: d.usage.input,
    completion_tokens: d.usage.output,
    total_tokens: d.usage.input + d.usage.output,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

function respondChat(req: ProtocolRequest, d: Decision, res: ServerResponse): void {
  const body = isObj(req.body) ? req.body : {};
  const model = typeof body['model'] === 'string' ? body['model'] : 'fake-model';
  const id = nextCallId('chatcmpl');
  const created = Math.floor(Date.now() / 1000);
  const finish = d.kind === 'tool' ? 'tool_calls' : 'stop';
  const toolCall = d.kind === 'tool' ? { id: d.callId, type: 'function', function: { name: d.name, arguments: JSON.stringify(d.input) } } : null;
  if (body['stream'] !== true) {
    const message = toolCall ? { role: 'assistant', content: null, tool_calls: [toolCall] } : { role: 'assistant', content: d.kind === 'text' ? d.text : '' };
    return sendJson(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: finish }], usage: usageOf(d) });
  }
  const sse = sseWriter(res);
  const chunk = (delta: Json, finishReason: string | null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  sse.send(null, chunk({ role: 'assistant', content: '' }, null));
  if (d.kind === 'text') {
    // Two pieces, so a client that renders deltas sees a real stream.
    const cut = Math.ceil(d.text.length / 2);
    for (const piece of [d.text.slice(0, cut), d.text.slice(cut)]) if (piece) sse.send(null, chunk({ content: piece }, null));
  } else if (toolCall) {
    const args = toolCall.function.arguments;
    const cut = Math.ceil(args.length / 2);
    sse.send(null, chunk({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: args.slice(0, cut) } }] }, null));
    sse.send(null, chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(cut) } }] }, null));
  }
  sse.send(null, chunk({}, finish));
  // Usage goes out whether or not `stream_options.include_usage` asked for it: a client that did
  // not ask ignores a chunk without choices.
  sse.send(null, { id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageOf(d) });
  sse.end('data: [DONE]\n\n');
}

/** A Chat Completions handler whose GET /v1/models lists `models`. */
export function createOpenaiChatHandler(models: string[] = ['fake-model']): ProtocolHandler {
  return {
    name: 'openai-chat',
    accepts: (method, path) => (method === 'POST' && path.endsWith('/chat/completions')) || (method === 'GET' && /\/models\/?$/.test(path)),
    view: (req) => (req.method === 'POST' ? chatConversationView(req.body) : null),
    respond: respondChat,
    other(req, res) {
      if (req.method === 'GET') return sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'baton-fake' })) });
      sendJson(res, 400, { error: { message: 'fake model: not a chat completion request', type: 'invalid_request_error' } });
    },
  };
}

export const openaiChatHandler: ProtocolHandler = createOpenaiChatHandler();
