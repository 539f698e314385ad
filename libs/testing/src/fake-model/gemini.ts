import type { ServerResponse } from 'node:http';
import type { ConversationView, Decision, OfferedTool } from './script';
import { sendJson, sseWriter, type ProtocolHandler, type ProtocolRequest } from './server';

/*
 * The Gemini API as `@google/genai` (and so Gemini CLI) calls it with an API key and a base URL
 * (`GOOGLE_GEMINI_BASE_URL`): `POST /v1beta/models/<model>:generateContent`,
 * `:streamGenerateContent?alt=sse` (data-only SSE frames, each a GenerateContentResponse) and
 * `:countTokens`. Tool calls are `functionCall` parts; usage is `usageMetadata`.
 */

interface GeminiPart {
  text?: unknown;
  thought?: unknown;
  functionCall?: unknown;
  functionResponse?: unknown;
}
interface GeminiContent {
  role?: unknown;
  parts?: unknown;
}

const MODEL_CALL = /^\/(v1beta|v1|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const partsOf = (c: GeminiContent): GeminiPart[] => (Array.isArray(c.parts) ? (c.parts.filter(isObject) as GeminiPart[]) : []);
const pathOnly = (path: string) => path.split('?')[0];

/** A content the user typed: text parts (thoughts aside) and no function responses. */
function userText(c: GeminiContent): string | null {
  if (c.role !== 'user') return null;
  const parts = partsOf(c);
  if (parts.some((p) => p.functionResponse !== undefined)) return null;
  const texts = parts.filter((p) => typeof p.text === 'string' && !p.thought).map((p) => p.text as string);
  return texts.length ? texts.join('\n') : null;
}

function offeredTools(body: Record<string, unknown>): OfferedTool[] {
  const tools: OfferedTool[] = [];
  const groups = Array.isArray(body['tools']) ? body['tools'].filter(isObject) : [];
  for (const group of groups) {
    const decls = Array.isArray(group['functionDeclarations']) ? group['functionDeclarations'].filter(isObject) : [];
    for (const d of decls) {
      if (typeof d['name'] !== 'string') continue;
      const schema = isObject(d['parametersJsonSchema']) ? d['parametersJsonSchema'] : isObject(d['parameters']) ? d['parameters'] : {};
      const props = isObject(schema['properties']) ? Object.keys(schema['properties']) : [];
      tools.push({ name: d['name'], properties: props });
    }
  }
  return tools;
}

/** Reads a generateContent body; exported for tests. */
export function geminiView(path: string, body: unknown): ConversationView | null {
  const m = MODEL_CALL.exec(pathOnly(path));
  if (!m || m[3] === 'countTokens' || !isObject(body)) return null;
  const contents = Array.isArray(body['contents']) ? (body['contents'].filter(isObject) as GeminiContent[]) : [];
  const userTexts: string[] = [];
  let toolRoundsSinceUser = 0;
  for (const c of contents) {
    const text = userText(c);
    if (text !== null) {
      userTexts.push(text);
      toolRoundsSinceUser = 0;
    } else if (c.role === 'model' && partsOf(c).some((p) => p.functionCall !== undefined)) {
      toolRoundsSinceUser++;
    }
  }
  return { userTexts, toolRoundsSinceUser, tools: offeredTools(body), model: decodeURIComponent(m[2]) };
}

function usageMetadata(decision: Decision) {
  const { input, output } = decision.usage;
  return { promptTokenCount: input, candidatesTokenCount: output, totalTokenCount: input + output };
}

function candidate(decision: Decision, finish: boolean) {
  const part = decision.kind === 'text' ? { text: decision.text } : { functionCall: { id: decision.callId, name: decision.name, args: decision.input } };
  return { content: { role: 'model', parts: [part] }, index: 0, ...(finish ? { finishReason: 'STOP' } : {}) };
}

function responseBody(decision: Decision, model: string) {
  return { candidates: [candidate(decision, true)], usageMetadata: usageMetadata(decision), modelVersion: model, responseId: `fake_${Date.now().toString(36)}` };
}

export const geminiProtocol: ProtocolHandler = {
  name: 'gemini',
  accepts: (method, path) => MODEL_CALL.test(pathOnly(path)) || (method === 'GET' && /^\/(v1beta|v1|v1alpha)\/models/.test(pathOnly(path))),
  view: (req: ProtocolRequest) => (req.method === 'POST' ? geminiView(req.path, req.body) : null),
  respond(req: ProtocolRequest, decision: Decision, res: ServerResponse) {
    const m = MODEL_CALL.exec(pathOnly(req.path));
    const model = m ? decodeURIComponent(m[2]) : 'gemini-fake';
    if (m?.[3] !== 'streamGenerateContent') return sendJson(res, 200, responseBody(decision, model));
    const sse = sseWriter(res);
    if (decision.kind === 'text' && decision.text.length > 1) {
      // Two chunks, as the real API streams: text first, then the rest with finishReason and usage.
      const cut = Math.ceil(decision.text.length / 2);
      sse.send(null, { candidates: [{ content: { role: 'model', parts: [{ text: decision.text.slice(0, cut) }] }, index: 0 }], modelVersion: model });
      sse.send(null, { ...responseBody({ ...decision, text: decision.text.slice(cut) }, model) });
    } else {
      sse.send(null, responseBody(decision, model));
    }
    sse.end();
  },
  other(req: ProtocolRequest, res: ServerResponse) {
    const m = MODEL_CALL.exec(pathOnly(req.path));
    if (m?.[3] === 'countTokens') {
      const body = isObject(req.body) ? req.body : {};
      const size = JSON.stringify(body['contents'] ?? body['generateContentRequest'] ?? '').length;
      return sendJson(res, 200, { totalTokens: Math.max(1, Math.ceil(size / 4)) });
    }
    if (req.method === 'GET') return sendJson(res, 200, { models: [] });
    sendJson(res, 400, { error: { code: 400, message: 'fake gemini: unreadable request', status: 'INVALID_ARGUMENT' } });
  },
};
