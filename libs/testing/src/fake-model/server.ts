import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decide, type ConversationView, type Decision, type Script } from './script';

/** One request the fake model saw, kept so a test can assert what the agent sent (e.g. earlier messages on resume). */
export interface SeenRequest {
  protocol: string;
  method: string;
  path: string;
  body: unknown;
  view: ConversationView | null;
  decision: Decision | null;
  at: number;
}

export interface ProtocolRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/**
 * One provider API (Anthropic Messages, OpenAI Responses, Chat Completions, Gemini). `view`
 * reads the conversation from the request; `respond` writes the decision back in the provider's
 * own format (streamed when the request asked for a stream). Requests the handler knows but
 * that are no model turn (token counts, model lists) go to `other`.
 */
export interface ProtocolHandler {
  name: string;
  accepts(method: string, path: string): boolean;
  /** null: this is not a model turn; `other` answers it. */
  view(req: ProtocolRequest): ConversationView | null;
  respond(req: ProtocolRequest, decision: Decision, res: ServerResponse): void;
  other(req: ProtocolRequest, res: ServerResponse): void;
}

export interface FakeModelServer {
  url: string;
  port: number;
  requests: SeenRequest[];
  /** Replace the script (tests build it per case). */
  setScript(script: Script): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Server-sent events; `event` null writes a data-only frame (OpenAI Chat, Gemini). */
export function sseWriter(res: ServerResponse): { send(event: string | null, data: unknown): void; end(tail?: string): void } {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  return {
    send(event, data) {
      res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    },
    end(tail) {
      if (tail) res.write(tail);
      res.end();
    },
  };
}

/** Starts a fake model on 127.0.0.1 (port 0: any free one) speaking every protocol given. */
export async function startFakeModelServer(handlers: ProtocolHandler[], script: Script = { turns: [] }, port = 0): Promise<FakeModelServer> {
  let current = script;
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      const method = req.method ?? 'GET';
      const body = await readBody(req);
      const preq: ProtocolRequest = { method, path: req.url ?? '/', headers: req.headers, body };
      const handler = handlers.find((h) => h.accepts(method, path));
      if (!handler) {
        requests.push({ protocol: 'unknown', method, path, body, view: null, decision: null, at: Date.now() });
        return sendJson(res, 404, { error: { message: `fake model: no handler for ${method} ${path}` } });
      }
      const view = handler.view(preq);
      if (!view) {
        requests.push({ protocol: handler.name, method, path, body, view: null, decision: null, at: Date.now() });
        return handler.other(preq, res);
      }
      const decision = decide(current, view);
      requests.push({ protocol: handler.name, method, path, body, view, decision, at: Date.now() });
      handler.respond(preq, decision, res);
    })().catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(e) } });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    setScript(s) {
      current = s;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
