import type { SpawnRequest, TemplateSnapshot } from '@baton/events';

export interface ProjectTemplate {
  templateId: string;
  snapshot: TemplateSnapshot;
}

/**
 * The steps of `session.open_project`: the project's startupSequence (template ids, in
 * order), then its other autoStart templates by id. A sequence naming an unknown template
 * is an error the caller shows (it names it), not a step silently skipped.
 */
export function planStartup(projectId: string, startupSequence: string[], templates: ProjectTemplate[], sessionIdFor: (templateId: string, index: number) => string): SpawnRequest[] {
  const byId = new Map(templates.map((t) => [t.templateId, t]));
  const unknown = startupSequence.filter((id) => !byId.has(id));
  if (unknown.length) throw new Error(`startup sequence names unknown template${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  const seen = new Set<string>();
  const order = [...startupSequence, ...templates.filter((t) => t.snapshot.spec.autoStart).map((t) => t.templateId).sort()].filter((id) => !seen.has(id) && seen.add(id));
  return order.map((templateId, step) => {
    const t = byId.get(templateId)!;
    return {
      sessionId: sessionIdFor(templateId, step),
      projectId,
      templateId,
      template: t.snapshot,
      permissionMode: null,
      taskIds: [],
      strategy: 'simple',
      role: 'service',
      parentSessionId: null,
      name: t.snapshot.spec.name,
      runnerLabels: {},
      budget: null,
      prompt: null,
      origin: { kind: 'startup', projectId, step },
    };
  });
}
