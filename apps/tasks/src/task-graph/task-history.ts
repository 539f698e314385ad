import { safeText } from '@baton/contracts';
import type { DomainEvent, StatusCause } from '@baton/events';

/*
 * A task's history as Markdown, from its events alone: the project subject's events
 * (details, status, attempts; other tasks' `task_added` give their names) and the
 * task subject's (the conversations). Pure: the caller loads the events. What people and
 * agents wrote is kept but for its controls (escape sequences, bidi overrides): the file may
 * well be read with `cat`.
 */

const CAUSE_WORDS: Record<StatusCause, string> = {
  dependencies_met: 'its dependencies were met',
  dependencies_pending: 'it waits on dependencies',
  attempt_started: 'an attempt started',
  review_requested: 'review was requested',
  changes_requested: 'changes were requested',
  attempt_merged: 'an attempt was merged',
  attempt_ended: 'an attempt ended',
  marked_done: 'it was marked done',
  marked_failed: 'it was marked failed',
  cancelled: 'it was cancelled',
  reopened: 'it was reopened',
  rolled_up: 'its subtasks changed',
};

const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const quote = (text: string) =>
  text
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export function taskHistoryMarkdown(taskId: string, events: readonly DomainEvent[]): string {
  const names = new Map<string, string>();
  const numbers = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'project.task_added') numbers.set(e.data.taskId, e.data.number);
    if (e.type === 'project.task_added' || (e.type === 'project.task_details_changed' && e.data.title)) {
      names.set(e.data.taskId, `#${numbers.get(e.data.taskId) ?? '?'} ${e.data.title}`);
    }
  }
  const name = (id: string) => names.get(id) ?? id;
  const added = events.find((e) => e.type === 'project.task_added' && e.data.taskId === taskId);
  if (!added || added.type !== 'project.task_added') return `# Task ${taskId}\n\nNo history.\n`;

  const details = { ...added.data };
  const timeline: string[] = [`- ${when(added.occurredAt)} — created by ${added.actor.kind} ${added.actor.id}`];
  const attempts = new Map<string, { number: number; branch: string; outcome: string; messages: string[] }>();
  const line = (at: string, text: string) => timeline.push(`- ${when(at)} — ${text}`);

  for (const e of events) {
    switch (e.type) {
      case 'project.task_details_changed':
        if (e.data.taskId !== taskId) break;
        Object.assign(details, Object.fromEntries(Object.entries(e.data).filter(([k, v]) => k !== 'taskId' && v !== undefined)));
        line(e.occurredAt, `details changed: ${Object.keys(e.data).filter((k) => k !== 'taskId').join(', ')}`);
        break;
      case 'project.task_moved':
        if (e.data.taskId === taskId) line(e.occurredAt, `moved under ${e.data.toParentId ? name(e.data.toParentId) : 'the project root'}`);
        break;
      case 'project.task_dependency_added':
        if (e.data.taskId === taskId) line(e.occurredAt, `now depends on ${name(e.data.dependsOnTaskId)} (${e.data.condition})`);
        break;
      case 'project.task_dependency_removed':
        if (e.data.taskId === taskId) line(e.occurredAt, `no longer depends on ${name(e.data.dependsOnTaskId)}`);
        break;
      case 'project.task_status_changed':
        if (e.data.taskId === taskId) {
          line(e.occurredAt, `**${e.data.from} → ${e.data.to}**: ${CAUSE_WORDS[e.data.cause]}${e.data.reason ? ` (${e.data.reason})` : ''}`);
        }
        break;
      case 'project.task_blocked':
        if (e.data.taskId === taskId) {
          const why = e.data.blockedBy.map((b) => `${name(b.taskId)} is ${b.status}, needs ${b.condition}${b.via ? ` (via ${name(b.via)})` : ''}`);
          line(e.occurredAt, `**${e.data.from} → blocked**: ${why.join('; ')}`);
        }
        break;
      case 'project.task_attempt_started':
        if (e.data.taskId !== taskId) break;
        attempts.set(e.data.attemptId, { number: e.data.number, branch: e.data.branch, outcome: 'active', messages: [] });
        line(
          e.occurredAt,
          `attempt ${e.data.number} started on ${code(e.data.branch)} from ${code(e.data.baseBranch)}${e.data.promptVersionId ? `, prompt version ${code(e.data.promptVersionId)}` : ''}`,
        );
        break;
      case 'project.task_attempt_workspace_prepared': {
        const a = e.data.taskId === taskId ? attempts.get(e.data.attemptId) : undefined;
        if (a) line(e.occurredAt, `attempt ${a.number} worktree ${code(e.data.worktreePath)} at ${code(e.data.baseCommit)}`);
        break;
      }
      case 'project.task_attempt_finished': {
        const a = e.data.taskId === taskId ? attempts.get(e.data.attemptId) : undefined;
        if (!a) break;
        a.outcome = e.data.outcome;
        line(e.occurredAt, `attempt ${a.number} ${e.data.outcome}${e.data.reason ? ` (${e.data.reason})` : ''}`);
        break;
      }
      case 'project.task_planning_started':
        if (e.data.taskId === taskId) line(e.occurredAt, `planning: planner session ${code(e.data.sessionId)} (${code(e.data.plannerTemplateId)}, depth ${e.data.depth})`);
        break;
      case 'project.task_planned':
        if (e.data.taskId === taskId) {
          const into = e.data.children.length ? ` into ${e.data.children.map(name).join(', ')}` : '';
          line(e.occurredAt, `**plan: ${e.data.decision.toUpperCase()}**${into} — ${e.data.reason}${e.data.needsApproval ? ' (awaits a person)' : ''}`);
        }
        break;
      case 'project.task_plan_reviewed':
        if (e.data.taskId === taskId) line(e.occurredAt, `plan ${e.data.accepted ? 'accepted' : 'rejected'} by ${e.actor.kind} ${e.actor.id}${e.data.reason ? ` (${e.data.reason})` : ''}`);
        break;
      case 'project.autopilot_attempt_failed':
        if (e.data.taskId === taskId) line(e.occurredAt, `autopilot: attempt failed (${e.data.failures} so far): ${e.data.reason}`);
        break;
      case 'project.autopilot_task_given_up':
        if (e.data.taskId === taskId) line(e.occurredAt, `autopilot gave up: ${e.data.reason}`);
        break;
      case 'project.autopilot_merged':
        if (e.data.taskId === taskId) line(e.occurredAt, `autopilot merged it into ${code(e.data.into)} as ${code(e.data.commit.slice(0, 12))}`);
        break;
      case 'project.autopilot_needs_input':
        if (e.data.taskId === taskId) line(e.occurredAt, `**needs input**: ${e.data.message}`);
        break;
      case 'task.attempt_message_added': {
        const a = e.aggregate.id === taskId ? attempts.get(e.data.attemptId) : undefined;
        if (a) a.messages.push(`**${e.data.role}** · ${e.data.kind} · ${when(e.occurredAt)}${e.data.sessionId ? ` · session ${code(e.data.sessionId)}` : ''}\n\n${quote(e.data.text)}`);
        break;
      }
      default:
        break;
    }
  }

  const out = [`# #${added.data.number} ${details.title}`, '', `Priority P${details.priority} · ${details.executionMode}${details.labels.length ? ` · ${details.labels.join(', ')}` : ''}`, ''];
  if (details.description) out.push('## Description', '', details.description, '');
  if (details.acceptanceCriteria.length) out.push('## Acceptance criteria', '', ...details.acceptanceCriteria.map((c) => `- ${c}`), '');
  out.push('## Timeline', '', ...timeline, '');
  for (const a of [...attempts.values()].sort((x, y) => x.number - y.number)) {
    out.push(`## Attempt ${a.number} — ${code(a.branch)} (${a.outcome})`, '');
    out.push(...(a.messages.length ? a.messages.flatMap((m) => [m, '']) : ['No messages.', '']));
  }
  return safeText(out.join('\n'), { multiline: true });
}
