import { snapshot } from '../session/__tests__/session-fixtures';
import { planStartup } from './startup-plan';

describe(planStartup.name, () => {
  const templates = [
    { templateId: 'db', snapshot: snapshot({ name: 'Postgres', kind: 'command', registration: 'on_spawn', autoStart: true }) },
    { templateId: 'api', snapshot: snapshot({ name: 'API', kind: 'command', registration: 'on_spawn', autoStart: false }) },
    { templateId: 'web', snapshot: snapshot({ name: 'Web', kind: 'command', registration: 'on_spawn', autoStart: true }) },
  ];

  it('starts the startup sequence in order, then the other autoStart templates', () => {
    const steps = planStartup('p1', ['api', 'db'], templates, (id, i) => `${id}-${i}`);
    expect(steps.map((s) => s.sessionId)).toEqual(['api-0', 'db-1', 'web-2']);
    expect(steps[2]).toMatchObject({ role: 'service', name: 'Web', origin: { kind: 'startup', projectId: 'p1', step: 2 }, templateId: 'web' });
  });

  it('names templates the sequence lists but the project does not have', () => {
    expect(() => planStartup('p1', ['api', 'ghost'], templates, (id) => id)).toThrow('startup sequence names unknown template ghost');
  });
});
