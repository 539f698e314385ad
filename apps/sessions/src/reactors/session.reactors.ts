import {
  ShortIdSchema,
  type AddAttemptMessage,
  type AdvanceProject,
  type CloseAttemptSeat,
  type CommandDataOf,
  type CommandEnvelope,
  type CompleteTask,
  type DomainEvent,
  type EventEnvelope,
  type FailTask,
  type FollowUpInAttempt,
  type OpenSessionInAttempt,
  type RecordWorkerFinished,
  type RecordWorkerSpawned,
  type ReleaseAttemptSeat,
  type RequestAttemptReview,
  type SendSessionInput,
  type SpawnSession,
  type SpawnSessionInAttempt,
  type StopSession,
  type TemplateSnapshot,
} from '@baton/events';

/**
 * Cross-aggregate consequences of the sessions domain, as pure functions: event → commands.
 * Command ids derive from the event (`<eventId>:<n>`), so a redelivered event sends the same
 * commands and the command processor applies them once. Time is the event's; the actor is
 * the system acting on its behalf.
 */
export const SESSIONS_REACTOR_ACTOR = { kind: 'system', id: 'sessions-reactor' } as const;

type Out = { type: string; data: unknown };
export function commandsFor(event: EventEnvelope, commands: Out[]): CommandEnvelope[] {
  return commands.map((c, i) => ({
    id: `${event.id}:${i}`,
    type: c.type,
    actor: SESSIONS_REACTOR_ACTOR,
    correlationId: event.correlationId,
    issuedAt: event.occurredAt,
    data: c.data,
  }));
}

const cmd = <D>(type: string, data: D): Out => ({ type, data });

/** Lookups a reaction needs; the service answers them from its read models. */
export interface AttemptReactionContext {
  /** The template an attempt's session runs (project template or built-in); null: unknown. */
  templateFor(projectId: string, templateId: string): TemplateSnapshot | null;
}

/**
 * Tasks → sessions: an attempt started with a session template gets its session (in the
 * attempt's seat; the session id is the event's id); a finished attempt closes its seat,
 * which stops the session still in it.
 */
export function attemptReactor(event: DomainEvent, ctx: AttemptReactionContext): CommandEnvelope[] {
  switch (event.type) {
    case 'project.task_attempt_started': {
      const { taskId, attemptId, sessionTemplateId, permissionMode } = event.data;
      if (!sessionTemplateId || !ShortIdSchema.safeParse(attemptId).success) return [];
      const projectId = event.aggregate.id;
      const template = ctx.templateFor(projectId, sessionTemplateId);
      if (!template) return [];
      const data: CommandDataOf<typeof SpawnSessionInAttempt> = {
        sessionId: event.id,
        projectId,
        templateId: sessionTemplateId,
        template,
        permissionMode: permissionMode ?? null,
        strategy: 'simple',
        role: 'worker',
        parentSessionId: null,
        name: '',
        runnerLabels: {},
        budget: null,
        prompt: null,
        origin: { kind: 'attempt' },
        attemptId,
        taskId,
      };
      return commandsFor(event, [cmd('session.spawn_in_attempt', data)]);
    }
    case 'project.task_attempt_changes_requested': {
      // The review's comment reaches the agent: into its running session, or a new one like the
      // last (which resumes the conversation). No comment: the reviewer says more themselves.
      const { taskId, attemptId, comment } = event.data;
      if (!comment?.trim() || !ShortIdSchema.safeParse(attemptId).success) return [];
      const followUp: CommandDataOf<typeof FollowUpInAttempt> = {
        attemptId,
        taskId,
        text: reviewFollowUp(comment),
        kind: 'review_comment',
        newSession: null,
        likeLast: { sessionId: event.id },
      };
      return commandsFor(event, [cmd('session.follow_up', followUp)]);
    }
    case 'project.task_attempt_finished': {
      if (!ShortIdSchema.safeParse(event.data.attemptId).success) return [];
      const data: CommandDataOf<typeof CloseAttemptSeat> = { attemptId: event.data.attemptId, reason: `attempt ${event.data.outcome}` };
      return commandsFor(event, [cmd('session.close_attempt_seat', data)]);
    }
    default:
      return [];
  }
}

/** Seat → session: open the claimed session on its own subject, deliver follow-ups, stop it when the attempt closes. */
export function seatReactor(event: DomainEvent): CommandEnvelope[] {
  switch (event.type) {
    case 'session.attempt_seat_claimed': {
      const open: CommandDataOf<typeof OpenSessionInAttempt> = event.data.request;
      const out = [cmd('session.open_in_attempt', open)];
      // A review comment is already in the attempt's conversation (the review recorded it).
      if (event.data.request.origin.kind === 'follow_up' && event.data.request.prompt && event.data.followUp !== 'review_comment') {
        out.push(cmd('task.add_attempt_message', followUpMessage(event.data.request.taskIds[0], event.data.attemptId, event.data.request.prompt, event.data.sessionId)));
      }
      return commandsFor(event, out);
    }
    case 'session.attempt_follow_up_routed': {
      const { sessionId, text, taskId, attemptId } = event.data;
      const input: CommandDataOf<typeof SendSessionInput> = { sessionId, text, kind: 'follow_up', fromSessionId: null };
      const record = event.data.kind === 'review_comment' ? [] : [cmd('task.add_attempt_message', followUpMessage(taskId, attemptId, text, sessionId))];
      return commandsFor(event, [cmd('session.send_input', input), ...record]);
    }
    case 'session.attempt_seat_closed': {
      if (!event.data.sessionId) return [];
      const stop: CommandDataOf<typeof StopSession> = { sessionId: event.data.sessionId, reason: event.data.reason || 'the attempt finished', cascade: true };
      return commandsFor(event, [cmd('session.stop', stop)]);
    }
    default:
      return [];
  }
}

/** What the agent reads when its work comes back from review. */
export function reviewFollowUp(comment: string): string {
  return `Changes were requested in review of your work:\n\n${comment.trim()}\n\nPlease address them.`;
}

function followUpMessage(taskId: string, attemptId: string, text: string, sessionId: string): CommandDataOf<typeof AddAttemptMessage> {
  return { taskId, attemptId, role: 'user', kind: 'follow_up', text, sessionId };
}

/**
 * A session's life → everyone who cares: its parent's timeline (worker_spawned /
 * worker_finished), its attempt's seat (released at the end), the task (review requested
 * when an attempt's session completes; done or failed for items of sessions outside an
 * attempt), its workers (a cascading stop), its project's startup sequence.
 */
export function lifecycleReactor(event: DomainEvent): CommandEnvelope[] {
  const sessionId = event.aggregate.id;
  switch (event.type) {
    case 'session.requested': {
      if (!event.data.parentSessionId) return [];
      const data: CommandDataOf<typeof RecordWorkerSpawned> = { sessionId: event.data.parentSessionId, workerId: sessionId, templateId: event.data.templateId, taskIds: event.data.taskIds };
      return commandsFor(event, [cmd('session.record_worker_spawned', data)]);
    }
    case 'session.ready': {
      const origin = event.data.origin;
      if (origin.kind !== 'startup') return [];
      const data: CommandDataOf<typeof AdvanceProject> = { projectId: origin.projectId, sessionId, outcome: 'ready', status: null };
      return commandsFor(event, [cmd('session.advance_project', data)]);
    }
    case 'session.ended': {
      const d = event.data;
      const out: Out[] = [];
      if (d.parentSessionId) {
        const finished: CommandDataOf<typeof RecordWorkerFinished> = { sessionId: d.parentSessionId, workerId: sessionId, status: d.status };
        out.push(cmd('session.record_worker_finished', finished));
      }
      if (d.attemptId && ShortIdSchema.safeParse(d.attemptId).success) {
        const release: CommandDataOf<typeof ReleaseAttemptSeat> = { attemptId: d.attemptId, sessionId, status: d.status, reason: d.reason };
        out.push(cmd('session.release_attempt_seat', release));
        if (d.status === 'completed' && d.taskIds[0]) {
          const review: CommandDataOf<typeof RequestAttemptReview> = { projectId: d.projectId, taskId: d.taskIds[0], attemptId: d.attemptId, summary: d.reason.slice(0, 2_000) };
          out.push(cmd('task.request_review', review));
        }
      }
      for (const worker of d.cascadeTo) {
        const stop: CommandDataOf<typeof StopSession> = { sessionId: worker, reason: `parent ${sessionId} ${d.status}`, cascade: true };
        out.push(cmd('session.stop', stop));
      }
      if (d.origin.kind === 'startup') {
        const advance: CommandDataOf<typeof AdvanceProject> = { projectId: d.origin.projectId, sessionId, outcome: 'ended', status: d.status };
        out.push(cmd('session.advance_project', advance));
      }
      return commandsFor(event, out);
    }
    case 'session.queue_item_changed': {
      const { taskId, to, projectId, attemptId, reason } = event.data;
      if (attemptId) return [];
      if (to === 'completed') {
        const done: CommandDataOf<typeof CompleteTask> = { projectId, taskId, reason: reason || `completed in session ${sessionId}` };
        return commandsFor(event, [cmd('task.complete', done)]);
      }
      if (to === 'failed') {
        const failed: CommandDataOf<typeof FailTask> = { projectId, taskId, reason: reason || `failed in session ${sessionId}` };
        return commandsFor(event, [cmd('task.fail', failed)]);
      }
      return [];
    }
    default:
      return [];
  }
}

/** The project's stack → sessions: spawn the next startup step, stop the next one on close. */
export function stackReactor(event: DomainEvent): CommandEnvelope[] {
  switch (event.type) {
    case 'session.project_step_spawned': {
      const spawn: CommandDataOf<typeof SpawnSession> = event.data.request;
      return commandsFor(event, [cmd('session.spawn', spawn)]);
    }
    case 'session.project_step_stop_requested': {
      const stop: CommandDataOf<typeof StopSession> = { sessionId: event.data.sessionId, reason: `project ${event.data.projectId} closing`, cascade: true };
      return commandsFor(event, [cmd('session.stop', stop)]);
    }
    default:
      return [];
  }
}
