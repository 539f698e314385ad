import { createHmac } from 'node:crypto';
import type { ChannelFormat } from '@baton/events';
import type { Notice } from './notice';

/** What one delivery sends, fixed when the delivery is recorded, so every retry sends the same bytes. */
export interface DeliveryContent {
  deliveryId: string;
  eventId: string;
  kind: Notice['kind'];
  projectId: string | null;
  sessionId: string | null;
  title: string;
  message: string;
  occurredAt: string;
  /** Where a person answers: the session page's answer box, else the inbox. */
  link: string;
}

export interface WebhookRequest {
  headers: Record<string, string>;
  body: string;
}

/** The web page a notification opens: a session's answer box (#answer), a project, or the inbox. */
export function linkFor(webUrl: string, notice: Pick<Notice, 'projectId' | 'sessionId'>): string {
  const base = webUrl.replace(/\/+$/, '');
  if (notice.projectId && notice.sessionId) return `${base}/projects/${encodeURIComponent(notice.projectId)}/sessions/${encodeURIComponent(notice.sessionId)}#answer`;
  if (notice.projectId) return `${base}/projects/${encodeURIComponent(notice.projectId)}`;
  return `${base}/inbox`;
}

/** `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>"): the timestamp is signed so an old request cannot be replayed as new. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const NTFY_TAGS: Record<DeliveryContent['kind'], string> = {
  needs_input: 'question',
  permission_prompt: 'lock',
  failed: 'x',
  completed: 'white_check_mark',
  budget_passed: 'money_with_wings',
  merge_failed: 'warning',
  runner_lost: 'electric_plug',
  test: 'bell',
};

function bodyOf(format: ChannelFormat, c: DeliveryContent): { body: string; contentType: string; extra: Record<string, string> } {
  switch (format) {
    case 'json':
      return { body: JSON.stringify({ id: c.deliveryId, eventId: c.eventId, kind: c.kind, projectId: c.projectId, sessionId: c.sessionId, title: c.title, message: c.message, occurredAt: c.occurredAt, link: c.link }), contentType: 'application/json', extra: {} };
    case 'slack': {
      // Slack's incoming webhooks (and Mattermost, Discord's /slack, Rocket.Chat) take `text`; `blocks` is the richer view.
      const text = `*${c.title}*: ${c.message} <${c.link}|Open>`;
      const blocks = [
        { type: 'section', text: { type: 'mrkdwn', text: `*${c.title}*\n${c.message}` } },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: c.sessionId ? 'Answer' : 'Open' }, url: c.link }] },
      ];
      return { body: JSON.stringify({ text, blocks }), contentType: 'application/json', extra: {} };
    }
    case 'ntfy':
      // ntfy: the body is the message; title, click target and tags ride in headers (ASCII only there).
      return { body: c.message, contentType: 'text/plain; charset=utf-8', extra: { Title: c.title.replace(/[^\x20-\x7e]/g, '?'), Click: c.link, Tags: NTFY_TAGS[c.kind] } };
    default: {
      const unknown: never = format;
      throw new Error(`unknown format ${String(unknown)}`);
    }
  }
}

/** The HTTP request of one try: `timestamp` is the try's (seconds), the rest the delivery's. */
export function webhookRequest(format: ChannelFormat, secret: string, content: DeliveryContent, timestamp: string): WebhookRequest {
  const { body, contentType, extra } = bodyOf(format, content);
  return {
    body,
    headers: {
      'Content-Type': contentType,
      'User-Agent': 'Baton-Notifier/1',
      'X-Baton-Delivery': content.deliveryId,
      'X-Baton-Event': content.kind,
      'X-Baton-Timestamp': timestamp,
      'X-Baton-Signature': signature(secret, timestamp, body),
      ...extra,
    },
  };
}
