import { Inject, Injectable } from '@nestjs/common';
import { canAgent, isFinalStatus, type AgentAction, type AgentTargets } from '@baton/events';
import { QueryClient } from '@baton/event-store';
import type { SessionView, TaskView } from '@baton/contracts';
import { ApiError } from '../http/api-error';
import type { AgentPrincipal, Caller } from '../auth/principal';

type OwnAction = 'session.report' | 'session.report_status' | 'session.report_usage' | 'session.register' | 'session.queue';
type SessionAction = 'session.read' | 'session.send_input' | 'session.stop';

function refuse(agent: AgentPrincipal, reason: string): ApiError {
  return new ApiError(403, 'forbidden', reason, { details: { sessionId: agent.sessionId } });
}

/**
 * What an agent may do, asked of `canAgent` (libs/events) before any command is sent. Users
 * pass through: their role was checked by the guard. Acting on another session also needs
 * the caller's own session to be live (a leaked token of an ended session reaches nothing).
 */
@Injectable()
export class AgentScope {
  constructor(@Inject(QueryClient) private readonly queries: QueryClient) {}

  check<A extends AgentAction>(caller: Caller, action: A, target: AgentTargets[A]): void {
    if (caller.kind !== 'agent') return;
    const verdict = canAgent(caller.claims, action, target);
    if (!verdict.allowed) throw refuse(caller, verdict.reason);
  }

  /** Reports, registration, usage and queue moves: the agent's own session (and its own tasks). */
  own(caller: Caller, action: OwnAction, sessionId: string, taskId?: string | null): void {
    this.check(caller, action, { sessionId, taskId: taskId ?? null });
  }

  /** Another session (or its own), loaded to see how it relates to the caller. */
  async session(caller: Caller, action: SessionAction, sessionId: string, minSeq = 0): Promise<SessionView | null> {
    if (caller.kind !== 'agent') return null;
    const target = await this.queries.ask<SessionView>('sessions', 'get_session', { id: sessionId }, { minSeq });
    this.check(caller, action, { sessionId, parentSessionId: target.parentSessionId, projectId: target.projectId });
    if (action !== 'session.read' && sessionId !== caller.sessionId) await this.requireLive(caller, minSeq);
    return target;
  }

  /**
   * Subtasks and plan decisions: a planner, within the subtree of its own task. `taskId` is
   * the task planned, or the parent a new subtask goes under (null: a root task, never an agent's).
   */
  async plan(caller: Caller, projectId: string, taskId: string | null, minSeq = 0): Promise<void> {
    if (caller.kind !== 'agent') return;
    if (!taskId) throw refuse(caller, 'an agent creates subtasks of its task only (give parentId)');
    const ancestors: string[] = [];
    let task = await this.queries.ask<TaskView>('tasks', 'get_task', { id: taskId }, { minSeq });
    if (task.projectId !== projectId) throw refuse(caller, `task ${taskId} belongs to another project`);
    while (task.parentId && ancestors.length < 100) {
      ancestors.push(task.parentId);
      task = await this.queries.ask<TaskView>('tasks', 'get_task', { id: task.parentId }, { minSeq });
    }
    this.check(caller, 'task.plan', { projectId, taskId, ancestors });
    await this.requireLive(caller, minSeq);
  }

  /** Only users may call this route, though agents reach the controller. */
  userOnly(caller: Caller, what: string): void {
    if (caller.kind === 'agent') throw refuse(caller, `an agent may not ${what}`);
  }

  forbidden(message: string): ApiError {
    return new ApiError(403, 'forbidden', message);
  }

  /** `minSeq`: what the caller has already seen, so a read model that lags cannot answer 404 for its own session. */
  async requireLive(agent: AgentPrincipal, minSeq = 0): Promise<void> {
    const own = await this.queries.ask<SessionView>('sessions', 'get_session', { id: agent.sessionId }, { minSeq });
    if (isFinalStatus(own.status)) throw refuse(agent, `session ${agent.sessionId} has ended (${own.status}); its token acts on no other session`);
  }
}
