import { z } from 'zod';
import { IdSchema } from '../envelope';
import { PermissionModeSchema, TemplateSnapshotSchema } from '../session-template/session-template.values';
import {
  BudgetSchema,
  InputTextSchema,
  LabelsMapSchema,
  SessionIdSchema,
  SessionOriginSchema,
  SessionRoleSchema,
  SessionStrategySchema,
} from './session.values';

/**
 * What it takes to request a session. The template arrives resolved (the edge or a
 * reactor looks it up by id): a session runs the version it was requested with.
 */
export const spawnRequestShape = {
  sessionId: SessionIdSchema,
  projectId: IdSchema,
  templateId: IdSchema,
  template: TemplateSnapshotSchema,
  taskIds: z.array(IdSchema).max(500, 'at most 500 tasks').default([]),
  strategy: SessionStrategySchema.default('simple'),
  role: SessionRoleSchema.default('worker'),
  parentSessionId: IdSchema.nullable().default(null),
  name: z.string().trim().max(200, 'must be at most 200 characters').default(''),
  runnerLabels: LabelsMapSchema.default({}),
  budget: BudgetSchema.nullable().default(null),
  prompt: InputTextSchema.nullable().default(null),
  origin: SessionOriginSchema.default({ kind: 'manual' }),
  /** Overrides the template's permission mode for this session (the autopilot asks for `auto`); null: the template's. */
  permissionMode: PermissionModeSchema.nullable().default(null),
};

export const SpawnRequestSchema = z.strictObject(spawnRequestShape);
export type SpawnRequest = z.output<typeof SpawnRequestSchema>;

type Checked = Pick<SpawnRequest, 'strategy' | 'taskIds' | 'parentSessionId' | 'sessionId'> & { template: { spec: { kind: 'agent' | 'command' } } };

/** Rules over a whole request (zod refinements run after the fields parsed). */
export function spawnRequestIssues(r: Checked): string | null {
  if (r.strategy === 'queue' && r.taskIds.length === 0) return 'a queue session needs at least one task';
  if (r.strategy === 'queue' && r.template.spec.kind !== 'agent') return 'a queue session needs an agent template, not a plain command';
  if (new Set(r.taskIds).size !== r.taskIds.length) return 'a task is listed twice';
  if (r.parentSessionId === r.sessionId) return 'a session cannot be its own parent';
  return null;
}

export function refineSpawnRequest<T extends Checked>(r: T, ctx: z.RefinementCtx): void {
  const issue = spawnRequestIssues(r);
  const path = !issue ? [] : issue.includes('parent') ? ['parentSessionId'] : issue.includes('template') ? ['template'] : ['taskIds'];
  if (issue) ctx.addIssue({ code: 'custom', message: issue, path });
}
