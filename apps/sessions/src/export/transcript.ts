import { safeText } from '@baton/contracts';
import { totalTokens, type Usage } from '@baton/events';
import type { Replay } from '../session/replay';

/** A message of the attempt's conversation or of the session's own input. */
export interface TranscriptMessage {
  at: string;
  role: 'user' | 'agent' | 'system';
  kind: string;
  text: string;
  sessionId: string | null;
}

export interface TranscriptInput {
  sessionId: string;
  title: string;
  replay: Replay;
  messages: TranscriptMessage[];
}

const inline = (s: string) => s.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|').trim();
const quote = (s: string) =>
  s
    .split(/\r?\n/)
    .map((l) => `> ${l}`.trimEnd())
    .join('\n');

function offset(startMs: number, at: string): string {
  const s = Math.max(0, Math.round((Date.parse(at) - startMs) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(sec).padStart(2, '0')}`;
}

function usageLine(u: Usage): string {
  return `${totalTokens(u)} tokens (${u.inputTokens} in, ${u.outputTokens} out, ${u.cacheReadTokens + u.cacheWriteTokens} cache), $${u.costUsd.toFixed(2)}`;
}

/**
 * A session as Markdown (DESIGN §6, Recording): summary, timeline and messages in time
 * order. Text from agents and people is quoted or flattened: it cannot add sections; and it
 * loses its controls (escape sequences, bidi overrides): the file may well be read with `cat`.
 */
export function toMarkdownTranscript(input: TranscriptInput): string {
  const { replay, sessionId } = input;
  const s = replay.state;
  const start = replay.statuses[0]?.from ?? replay.timeline[0]?.at ?? replay.at ?? new Date(0).toISOString();
  const startMs = Date.parse(start);
  const out: string[] = [`# ${inline(input.title || sessionId)}`, ''];
  out.push(`- Session: \`${sessionId}\``);
  if (s.facts) {
    out.push(`- Project: \`${s.facts.projectId}\`${s.facts.attemptId ? `, attempt \`${s.facts.attemptId}\`` : ''}`);
    out.push(`- Template: ${s.template ? `${inline(s.template.spec.name)} (\`${s.template.templateId}\` v${s.template.version})` : `\`${s.facts.templateId}\``}`);
    out.push(`- Role: ${s.facts.role}, strategy: ${s.facts.strategy}`);
    if (s.facts.parentSessionId) out.push(`- Parent: \`${s.facts.parentSessionId}\``);
  }
  out.push(`- Status: **${replay.status}**${s.endedReason ? ` — ${inline(s.endedReason)}` : ''}`);
  out.push(`- Started: ${start}${replay.at ? `, last event: ${replay.at}` : ''}`);
  if (s.restarts) out.push(`- Restarts: ${s.restarts}`);
  out.push(`- Usage: ${usageLine(s.usage)}`);
  if (s.items.length) {
    out.push('', '## Tasks', '', '| Task | Status |', '| --- | --- |');
    for (const i of s.items) out.push(`| \`${i.taskId}\` | ${i.status} |`);
  }
  out.push('', '## Timeline', '', '| Time | Event | Detail |', '| --- | --- | --- |');
  for (const e of replay.timeline) {
    const detail = [inline(e.message), e.progress !== null ? `(${Math.round(e.progress * 100)}%)` : '', e.taskId ? `task \`${e.taskId}\`` : ''].filter(Boolean).join(' ');
    out.push(`| ${offset(startMs, e.at)} | ${e.kind} | ${detail} |`);
  }
  const typed: TranscriptMessage[] = replay.inputs.map((i) => ({
    at: i.at,
    role: i.fromSessionId ? 'agent' : i.kind === 'resume' || i.kind === 'interrupt' ? 'system' : 'user',
    kind: `input: ${i.kind}`,
    text: i.kind === 'interrupt' ? '(interrupt: Ctrl-C)' : i.text,
    sessionId: i.fromSessionId,
  }));
  // A follow-up is both typed in and added to the attempt's conversation: show it once.
  const said = new Set(input.messages.map((m) => m.text.trim()));
  const messages = [...input.messages, ...typed.filter((t) => !said.has(t.text.trim()))].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (messages.length) {
    out.push('', '## Messages');
    for (const m of messages) {
      out.push('', `### ${offset(startMs, m.at)} — ${m.role} (${inline(m.kind)})${m.sessionId && m.sessionId !== sessionId ? ` from \`${m.sessionId}\`` : ''}`, '', quote(m.text));
    }
  }
  return `${safeText(out.join('\n'), { multiline: true })}\n`;
}
