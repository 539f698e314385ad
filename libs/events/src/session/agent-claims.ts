import { z } from 'zod';
import { IdSchema } from '../envelope';
import { SessionRoleSchema, type SessionRole } from './session.values';

/**
 * What a session-scoped token (BATON_TOKEN) says about its holder. The gateway verifies
 * the token, then asks `canAgent` before turning an agent's request into a command.
 */
export const AgentClaimsSchema = z.object({
  sessionId: IdSchema,
  projectId: IdSchema,
  attemptId: IdSchema.nullable(),
  taskIds: z.array(IdSchema).max(500),
  role: SessionRoleSchema,
  parentSessionId: IdSchema.nullable(),
});
export type AgentClaims = z.infer<typeof AgentClaimsSchema>;

/** Roles whose agents may start workers of their own. */
export const ROLES_THAT_SPAWN: ReadonlySet<SessionRole> = new Set(['orchestrator', 'planner']);

interface OwnTarget {
  sessionId: string;
  /** The task the report is about, if any. */
  taskId?: string | null;
}
interface SessionTarget {
  sessionId: string;
  parentSessionId: string | null;
  projectId: string;
}
interface SpawnTarget {
  projectId: string;
  parentSessionId: string | null;
  role: SessionRole;
  taskIds: string[];
}
interface TaskTarget {
  projectId: string;
  taskId: string;
}
/** A task a planner creates under (the new subtask's parent) or records a plan for. */
interface TaskPlanTarget {
  projectId: string;
  taskId: string;
  /** The task's ancestors, nearest first: a planner works the subtree of its own tasks. */
  ancestors: string[];
}
interface TaskReportTarget {
  taskId: string;
  attemptId: string | null;
}

export interface AgentTargets {
  /** Timeline reports, status, usage, registration and queue moves: its own session only. */
  'session.report': OwnTarget;
  'session.report_status': OwnTarget;
  'session.report_usage': OwnTarget;
  'session.register': OwnTarget;
  'session.queue': OwnTarget;
  'session.read': SessionTarget;
  'session.send_input': SessionTarget;
  'session.stop': SessionTarget;
  'session.spawn_worker': SpawnTarget;
  'task.read': TaskTarget;
  /** Messages into its attempt's conversation, review requests. */
  'task.report': TaskReportTarget;
  /** Subtasks and plan decisions: planners, within the subtrees of their own tasks. */
  'task.plan': TaskPlanTarget;
}
export type AgentAction = keyof AgentTargets;

export type AgentVerdict = { allowed: true } | { allowed: false; reason: string };

const allow: AgentVerdict = { allowed: true };
const deny = (reason: string): AgentVerdict => ({ allowed: false, reason });

/**
 * The authorization rule for agents (DESIGN §6 "Teams"): an agent reports only on its own
 * session and tasks, talks to its parent, its workers and its siblings, stops only itself
 * and its workers, and spawns workers (never orchestrators) only if its role allows.
 */
export function canAgent<A extends AgentAction>(claims: AgentClaims, action: A, target: AgentTargets[A]): AgentVerdict {
  switch (action) {
    case 'session.report':
    case 'session.report_status':
    case 'session.report_usage':
    case 'session.register':
    case 'session.queue': {
      const t = target as OwnTarget;
      if (t.sessionId !== claims.sessionId) return deny(`an agent reports only on its own session (${claims.sessionId})`);
      if (t.taskId && !claims.taskIds.includes(t.taskId)) return deny(`task ${t.taskId} is not one of this session's tasks`);
      return allow;
    }
    case 'session.read':
    case 'session.send_input':
    case 'session.stop': {
      const t = target as SessionTarget;
      if (t.projectId !== claims.projectId) return deny('that session belongs to another project');
      const self = t.sessionId === claims.sessionId;
      const child = t.parentSessionId === claims.sessionId;
      const parent = t.sessionId === claims.parentSessionId;
      const sibling = claims.parentSessionId !== null && t.parentSessionId === claims.parentSessionId;
      if (action === 'session.stop') return self || child ? allow : deny('an agent stops only itself and its own workers');
      if (action === 'session.send_input' && self) return deny('an agent does not type into its own terminal');
      return self || child || parent || sibling ? allow : deny('an agent reaches only its parent, its workers and its siblings');
    }
    case 'session.spawn_worker': {
      const t = target as SpawnTarget;
      if (!ROLES_THAT_SPAWN.has(claims.role)) return deny(`a ${claims.role} may not spawn sessions`);
      if (t.projectId !== claims.projectId) return deny('workers run in the same project');
      if (t.parentSessionId !== claims.sessionId) return deny('a worker an agent spawns is its own child (parentSessionId)');
      if (t.role !== 'worker') return deny('an agent spawns workers only');
      return allow;
    }
    case 'task.read': {
      const t = target as TaskTarget;
      return t.projectId === claims.projectId ? allow : deny('that task belongs to another project');
    }
    case 'task.report': {
      const t = target as TaskReportTarget;
      if (!claims.taskIds.includes(t.taskId)) return deny(`task ${t.taskId} is not one of this session's tasks`);
      if (t.attemptId !== null && t.attemptId !== claims.attemptId) return deny(`attempt ${t.attemptId} is not this session's attempt`);
      return allow;
    }
    case 'task.plan': {
      const t = target as TaskPlanTarget;
      if (claims.role !== 'planner') return deny(`a ${claims.role} may not create tasks or record plans (planners may)`);
      if (t.projectId !== claims.projectId) return deny('that task belongs to another project');
      const mine = [t.taskId, ...t.ancestors].some((id) => claims.taskIds.includes(id));
      return mine ? allow : deny(`task ${t.taskId} is outside the subtree of this planner's task${claims.taskIds.length === 1 ? '' : 's'} (${claims.taskIds.join(', ')})`);
    }
    default: {
      const unknown: never = action;
      return deny(`unknown action ${String(unknown)}`);
    }
  }
}

/** The claims a session's token carries, from its request. */
export function claimsForSession(sessionId: string, r: Omit<AgentClaims, 'sessionId'>): AgentClaims {
  return { sessionId, projectId: r.projectId, attemptId: r.attemptId, taskIds: [...r.taskIds], role: r.role, parentSessionId: r.parentSessionId };
}
