import { ProjectArchived, ProjectCreated, ProjectRenamed, type DomainEvent, type RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { recorded } from '@baton/testing';
import type { ProjectRow } from './project-row.entity';
import { projectsProjection } from './projects.projection';

const p1 = { type: 'project' as const, id: 'p1' };
let seq = 0;
const at = <E extends { type: string; data: unknown }>(e: E): RecordedEvent<DomainEvent> =>
  ({ ...recorded(p1, e, `2026-01-01T00:00:0${seq}.000Z`), position: { seq: ++seq } }) as RecordedEvent<DomainEvent>;

describe('projectsProjection', () => {
  const sut = projectsProjection;
  const history = () => {
    seq = 0;
    return [
      at(ProjectCreated({ name: 'Web', repository: { location: '/srv/web', defaultBranch: 'main' }, concurrencyLimit: 2, env: {} })),
      at(ProjectRenamed({ name: 'Web 2', previousName: 'Web' })),
      at(ProjectArchived({})),
    ];
  };

  it('folds a project row from its events', () => {
    const rows = new Map<string, ProjectRow | null>();
    foldAfter(sut, rows, 0, history());
    expect(rows.get('p1')).toMatchObject({ name: 'Web 2', status: 'archived', repositoryLocation: '/srv/web', eventCount: 3, lastSeq: 3 });
  });

  it('applies the same events delivered twice only once', () => {
    const events = history();
    const rows = new Map<string, ProjectRow | null>();
    const first = foldAfter(sut, rows, 0, events);
    const once = structuredClone(rows.get('p1'));
    const second = foldAfter(sut, rows, first.checkpoint, events);
    expect(second.touched.size).toBe(0);
    expect(second.checkpoint).toBe(first.checkpoint);
    expect(rows.get('p1')).toEqual(once);
  });

  it('applies the new tail of an overlapping redelivery', () => {
    const events = history();
    const rows = new Map<string, ProjectRow | null>();
    const first = foldAfter(sut, rows, 0, events.slice(0, 2));
    foldAfter(sut, rows, first.checkpoint, events);
    expect(rows.get('p1')).toMatchObject({ status: 'archived', eventCount: 3 });
  });

  it('ignores events of other aggregates and tolerates a rename without a row', () => {
    seq = 10;
    const rows = new Map<string, ProjectRow | null>();
    const orphan = at(ProjectRenamed({ name: 'Ghost', previousName: '?' }));
    foldAfter(sut, rows, 0, [orphan]);
    expect(rows.get('p1')).toBeNull();
  });
});
