import { SessionTemplateDefined, SessionTemplateRemoved, type DomainEvent, type RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { recorded } from '@baton/testing';
import { spec } from '../../session/__tests__/session-fixtures';
import type { TemplateRow } from './template-row.entity';
import { sessionTemplatesProjection } from './templates.projection';
import { builtinViews } from './templates.queries';

const T = { type: 'session_template' as const, id: 'dev' };
const at = (seq: number, e: { type: string; data: unknown }) => ({ ...recorded(T, e as never), position: { seq } }) as unknown as RecordedEvent<DomainEvent>;

describe('sessionTemplatesProjection', () => {
  it('keeps the latest version of each template, and its removal', () => {
    const rows = new Map<string, TemplateRow | null>();
    const v1 = spec({ name: 'Dev', kind: 'command', registration: 'on_spawn', maxConcurrent: 2 });
    const v2 = { ...v1, autoStart: true };
    foldAfter(sessionTemplatesProjection, rows, 0, [at(1, SessionTemplateDefined({ projectId: 'p1', version: 1, spec: v1 })), at(2, SessionTemplateDefined({ projectId: 'p1', version: 2, spec: v2 }))]);
    expect(rows.get('dev')).toMatchObject({ projectId: 'p1', version: 2, autoStart: true, maxConcurrent: 2, removed: false, eventCount: 2, kind: 'command' });
    foldAfter(sessionTemplatesProjection, rows, 2, [at(3, SessionTemplateRemoved({}))]);
    expect(rows.get('dev')).toMatchObject({ removed: true, version: 2 });
  });

  it('lists the built-ins from code', () => {
    expect(builtinViews().map((v) => v.id)).toEqual(['claude-code', 'codex', 'gemini', 'aider', 'opencode', 'shell', 'baton-demo-agent']);
    expect(builtinViews().every((v) => v.builtIn && v.projectId === null)).toBe(true);
  });
});
