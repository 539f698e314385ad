import { In, IsNull, Not } from 'typeorm';
import type { RunnerHeartbeat } from '@baton/events';
import type { ReadSide } from '@baton/service-kit';
import { ProjectSettingsRowEntity } from '../read-models/session-projects/project-settings-row.entity';
import { RunnerRowEntity } from '../read-models/runners/runner-row.entity';
import { SessionRowEntity } from '../read-models/sessions/session-row.entity';
import { TemplateRowEntity } from '../read-models/session-templates/template-row.entity';
import { BUILTIN_TEMPLATES } from '../session-template/builtin-templates';
import { ON_RUNNER } from '../session/status-rules';
import type { Caps, PendingSession, RunnerSnapshot, RunningSession } from './scheduler';
import { RUNNER_SILENCE_MS } from './liveness';

export interface SchedulerInput {
  pending: PendingSession[];
  runners: RunnerSnapshot[];
  running: RunningSession[];
  caps: Caps;
  /** Stream sequence at which each pending session became pending: names its placement (command ids). */
  pendingSeqs: Record<string, number>;
}

/**
 * The scheduler's snapshot from the read models and the runners' KV heartbeats. The
 * scheduler must run in one replica at a time (a leader, like the projections'): two
 * concurrent placements could both take a runner's last slot. A runner still refuses a
 * start beyond its capacity (`session.record_spawn_failed` with `retryable`).
 */
export async function loadSchedulerInput(read: ReadSide, heartbeats: RunnerHeartbeat[], now: string, globalCap: number | null): Promise<SchedulerInput> {
  const sessions = read.db.getRepository(SessionRowEntity);
  const pendingRows = await sessions.find({ where: { status: 'pending', pendingSeq: Not(IsNull()) }, order: { pendingSeq: 'ASC' }, take: 10_000 });
  const runningRows = await sessions.find({ where: { status: In([...ON_RUNNER]), runnerId: Not(IsNull()) } });
  const runnerRows = await read.db.getRepository(RunnerRowEntity).find({ where: { status: 'registered' } });
  const nowMs = Date.parse(now);
  const fresh = new Set(heartbeats.filter((h) => nowMs - Date.parse(h.at) < RUNNER_SILENCE_MS).map((h) => h.runnerId));
  const beats = new Map(heartbeats.map((h) => [h.runnerId, h]));
  const projectIds = [...new Set([...pendingRows, ...runningRows].map((r) => r.projectId))];
  const templateIds = [...new Set([...pendingRows, ...runningRows].map((r) => r.templateId))];
  const projects = projectIds.length ? await read.db.getRepository(ProjectSettingsRowEntity).findBy({ id: In(projectIds) }) : [];
  const templates = templateIds.length ? await read.db.getRepository(TemplateRowEntity).findBy({ id: In(templateIds) }) : [];
  const perTemplate: Record<string, number | null> = {};
  for (const id of templateIds) perTemplate[id] = BUILTIN_TEMPLATES[id]?.maxConcurrent ?? null;
  for (const t of templates) perTemplate[t.id] = t.maxConcurrent;
  return {
    pending: pendingRows.map((r) => ({ sessionId: r.id, projectId: r.projectId, templateId: r.templateId, labels: r.runnerLabels, notBefore: r.until, preferRunnerId: r.lastRunnerId })),
    runners: runnerRows.map((r) => ({ runnerId: r.id, capacity: r.capacity, labels: r.labels, alive: fresh.has(r.id), draining: r.draining, ...admissionOf(beats.get(r.id)) })),
    running: runningRows.map((r) => ({ sessionId: r.id, runnerId: r.runnerId!, projectId: r.projectId, templateId: r.templateId, starting: r.status === 'spawning' })),
    caps: { global: globalCap, perProject: Object.fromEntries(projects.map((p) => [p.id, p.concurrencyLimit])), perTemplate, perRunner: {} },
    pendingSeqs: Object.fromEntries(pendingRows.map((r) => [r.id, r.pendingSeq!])),
  };
}

/** The pace of starts a runner announces in its heartbeat (docs/decisions/0026): fewer at once while its machine is over its load limit. */
export function admissionOf(hb: RunnerHeartbeat | undefined): Pick<RunnerSnapshot, 'maxStarting' | 'admissionNote'> {
  const a = hb?.admission;
  if (!a) return {};
  if (a.load > a.loadLimit) return { maxStarting: a.maxStartingOverLoad, admissionNote: `load ${a.load} per core is over its limit ${a.loadLimit}` };
  return { maxStarting: a.maxStarting };
}
