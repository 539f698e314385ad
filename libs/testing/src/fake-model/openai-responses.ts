/*
 * OpenAI Responses API (POST /v1/responses), as Codex CLI speaks it with `wire_api = "responses"`:
 * a streamed turn is `response.created`, per output item `response.output_item.added`
 * (+ `response.output_text.delta` for text) and `response.output_item.done`, then
 * `response.completed` carrying `usage`, which Codex records as its `token_count`.
 * GET /v1/models (Codex's model discovery for API-key providers) answers a one-model list.
 */
import type { ServerResponse } from 'node:http';
import type { ConversationView, Decision, OfferedTool } from './script';
import { nextCallId } from './script';
import { sendJson, sseWriter, type ProtocolHandler, type ProtocolRequest } from './server';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/*
 * Codex sends its own context as user messages (environment, AGENTS.md, skills, aborted-turn
 * markers); they are not what the user typed, so they never pick a turn.
 */
const CONTEXT_PREFIXES = ['<environment_context', '<user_instructions', '# AGENTS.md instructions', '<turn_aborted', '<skill', '<user_shell_command', '<permissions', '<collaboration_mode', '<apps_instructions', '<subagent'];
const isContextText = (text: string) => {
  const t = text.trimStart();
  return CONTEXT_PREFIXES.some((p) => t.startsWith(p));
};

/** The text of a `message` item typed by the user (input_text parts), or null for context. */
function userText(item: Json): string | null {
  if (item.type !== undefined && item.type !== 'message') return null;
  if (item.role !== 'user') return null;
  const parts = typeof item.content === 'string' ? [item.content] : Array.isArray(item.content) ? item.content.map((c) => (isObj(c) ? str(c.text) : null)) : [];
  const text = parts.filter((p): p is string => p !== null && !isContextText(p)).join('\n');
  return text ? text : null;
}

const CALL_TYPES = new Set(['function_call', 'custom_tool_call', 'local_shell_call', 'tool_search_call']);

function offeredTools(tools: unknown): OfferedTool[] {
  if (!Array.isArray(tools)) return [];
  return tools.filter(isObj).map((t) => {
    const name = str(t.name) ?? str(t.type) ?? 'unknown';
    const params = isObj(t.parameters) ? t.parameters : {};
    return { name, properties: isObj(params.properties) ? Object.keys(params.properties) : [] };
  });
}

export function responsesView(body: unknown): ConversationView | null {
  if (!isObj(body) || !Array.isArray(body.input)) return null;
  const items = body.input.filter(isObj);
  const userTexts: string[] = [];
  let lastUser = -1;
  items.forEach((item, i) => {
    const text = userText(item);
    if (text !== null) {
      userTexts.push(text);
      lastUser = i;
    }
  });
  // A round is a run of consecutive call items (parallel calls count once).
  let rounds = 0;
  let inRun = false;
  for (const item of items.slice(lastUser + 1)) {
    const isCall = CALL_TYPES.has(String(item.type));
    if (isCall && !inRun) rounds++;
    inRun = isCall || (inRun && item.type === 'reasoning');
  }
  return { userTexts, toolRoundsSinceUser: rounds, tools: offeredTools(body.tools), model: str(body.model) };
}

function usageOf(d: Decision) {
  return {
    input_tokens: d.usage.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: d.usage.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: d.usage.input + d.usage.output,
  };
}

function outputItem(d: Decision): Json {
  if (d.kind === 'text') {
    return { id: nextCallId('msg'), type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: d.text, annotations: [] }] };
  }
  return { id: nextCallId('fc'), type: 'function_call', status: 'completed', call_id: d.callId, name: d.name, arguments: JSON.stringify(d.input) };
}

export const openaiResponsesHandler: ProtocolHandler = {
  name: 'openai-responses',
  accepts: (method, path) => (method === 'POST' && /\/responses$/.test(path)) || (method === 'GET' && /\/models(\/[^/]+)?$/.test(path)),
  view: (req) => (req.method === 'POST' ? responsesView(req.body) : null),
  respond(req: ProtocolRequest, decision: Decision, res: ServerResponse) {
    const model = (isObj(req.body) && str(req.body.model)) || 'fake-model';
    const id = nextCallId('resp');
    const item = outputItem(decision);
    const completed = { id, object: 'response', created_at: Math.floor(Date.now() / 1000), model, status: 'completed', output: [item], usage: usageOf(decision) };
    if (isObj(req.body) && req.body.stream === false) return sendJson(res, 200, completed);
    const sse = sseWriter(res);
    let seq = 0;
    const send = (type: string, data: Json) => sse.send(type, { type, sequence_number: seq++, ...data });
    send('response.created', { response: { ...completed, status: 'in_progress', output: [], usage: null } });
    if (item.type === 'message') {
      send('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
      send('response.output_text.delta', { item_id: item.id, output_index: 0, content_index: 0, delta: decision.kind === 'text' ? decision.text : '' });
    } else {
      send('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } });
    }
    send('response.output_item.done', { output_index: 0, item });
    send('response.completed', { response: completed });
    sse.end();
  },
  other(req, res) {
    if (req.method === 'GET') {
      const now = Math.floor(Date.now() / 1000);
      return sendJson(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', created: now, owned_by: 'baton' }], models: [] });
    }
    sendJson(res, 400, { error: { message: 'fake model: not a Responses request' } });
  },
};
