import { SECRET_ENV_MARKER, SessionTemplateDefined, type DomainEvent, type RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { recorded } from '@baton/testing';
import { spec } from '../../session/__tests__/session-fixtures';
import type { TemplateRow } from './template-row.entity';
import { sessionTemplatesProjection } from './templates.projection';
import { builtinViews, rowView } from './templates.queries';

const T = { type: 'session_template' as const, id: 'agent' };
const at = (seq: number, e: { type: string; data: unknown }) => ({ ...recorded(T, e as never), position: { seq } }) as unknown as RecordedEvent<DomainEvent>;

describe('session template views', () => {
  const secret = spec({ name: 'Agent', env: { OPENAI_API_KEY: 'sk-live-123', LICENSE: 'L-1', MODE: 'fast' }, secretEnv: ['LICENSE'] });
  const project = () => {
    const rows = new Map<string, TemplateRow | null>();
    foldAfter(sessionTemplatesProjection, rows, 0, [at(1, SessionTemplateDefined({ projectId: 'p1', version: 1, spec: secret }))]);
    return rows.get('agent')!;
  };

  it('keep the real values in the row (a spawn needs them) and show the marker for every secret one', () => {
    const row = project();
    expect(row.spec.env.OPENAI_API_KEY).toBe('sk-live-123');
    const sut = rowView(row);
    expect(sut.spec.env).toEqual({ OPENAI_API_KEY: SECRET_ENV_MARKER, LICENSE: SECRET_ENV_MARKER, MODE: 'fast' });
    expect(sut.redactedEnv).toEqual(['LICENSE', 'OPENAI_API_KEY']);
    expect(sut.spec.secretEnv).toEqual(['LICENSE']);
    expect(JSON.stringify(sut)).not.toMatch(/sk-live-123|L-1/);
  });

  it('have the same shape for built-ins, which hold no values (an API key comes from project or template env)', () => {
    expect(builtinViews().map((v) => [v.id, v.redactedEnv, v.spec.env])).toEqual(builtinViews().map((v) => [v.id, [], {}]));
  });
});
