import type { DataSource, EntityManager, EntitySchema } from 'typeorm';
import type { Projection } from './projection';
import { upsertRows } from './upsert-rows';

/** The slice of TypeORM's metadata the plan reads: enough to check the SQL without a database. */
interface FakeColumn {
  propertyName: string;
  databaseName: string;
  type: unknown;
  isPrimary: boolean;
  transformer?: { to(v: unknown): unknown; from(v: unknown): unknown };
}

function fixture(columns: FakeColumn[], schema = 'svc') {
  const entity = {} as EntitySchema<{ id: string }>;
  const meta = { schema: undefined, tableName: 'rows', columns, primaryColumns: columns.filter((c) => c.isPrimary) };
  const db = { getMetadata: () => meta, options: { schema } } as unknown as DataSource;
  const calls: { sql: string; params: unknown[][] }[] = [];
  const em = { query: async (sql: string, params: unknown[][]) => void calls.push({ sql, params }) } as unknown as EntityManager;
  const p = { name: 'rows', version: 1, entity } as unknown as Projection;
  return { db, em, p, calls };
}

const col = (propertyName: string, type: unknown, extra: Partial<FakeColumn> = {}): FakeColumn => ({
  propertyName,
  databaseName: propertyName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
  type,
  isPrimary: false,
  ...extra,
});

describe('upsertRows', () => {
  it('writes one INSERT … unnest … ON CONFLICT DO UPDATE of every non-key column', async () => {
    const { db, em, p, calls } = fixture([col('id', 'text', { isPrimary: true }), col('eventCount', 'int'), col('env', 'jsonb'), col('name', String)]);
    await upsertRows(em, db, p, [{ id: 'a', eventCount: 2, env: { A: '1' }, name: 'x' } as { id: string }, { id: 'b', eventCount: 1, env: null } as { id: string }]);
    expect(calls).toHaveLength(1);
    expect(calls[0].sql).toBe(
      'INSERT INTO "svc"."rows" ("id", "event_count", "env", "name") SELECT * FROM unnest($1::text[], $2::integer[], $3::jsonb[], $4::text[]) ' +
        'ON CONFLICT ("id") DO UPDATE SET "event_count" = EXCLUDED."event_count", "env" = EXCLUDED."env", "name" = EXCLUDED."name"',
    );
    // One array per column; json serialised, a missing value bound as NULL.
    expect(calls[0].params).toEqual([['a', 'b'], [2, 1], ['{"A":"1"}', null], ['x', null]]);
  });

  it('applies a column transformer before binding', async () => {
    const { db, em, p, calls } = fixture([col('id', 'text', { isPrimary: true }), col('lastSeq', 'bigint', { transformer: { to: (v) => `#${String(v)}`, from: (v) => v } })]);
    await upsertRows(em, db, p, [{ id: 'a', lastSeq: 7 } as { id: string }]);
    expect(calls[0].params).toEqual([['a'], ['#7']]);
  });

  it('an entity with only a primary key does nothing on conflict (no empty SET list)', async () => {
    const { db, em, p, calls } = fixture([col('id', 'text', { isPrimary: true })]);
    await upsertRows(em, db, p, [{ id: 'a' }, { id: 'b' }]);
    expect(calls[0].sql).toBe('INSERT INTO "svc"."rows" ("id") SELECT * FROM unnest($1::text[]) ON CONFLICT ("id") DO NOTHING');
    expect(calls[0].params).toEqual([['a', 'b']]);
  });

  it('sends large batches in chunks of 5,000 rows', async () => {
    const { db, em, p, calls } = fixture([col('id', 'text', { isPrimary: true }), col('n', 'integer')]);
    const rows = Array.from({ length: 12_001 }, (_, i) => ({ id: `r${i}`, n: i }));
    await upsertRows(em, db, p, rows);
    expect(calls.map((c) => c.params[0].length)).toEqual([5_000, 5_000, 2_001]);
    expect(calls[2].params[1][2_000]).toBe(12_000);
  });

  it('refuses a column without an explicit SQL type it can name', async () => {
    const { db, em, p } = fixture([col('id', 'text', { isPrimary: true }), col('blob', Buffer)]);
    await expect(upsertRows(em, db, p, [{ id: 'a' }])).rejects.toThrow(/blob: give it an explicit SQL type/);
  });
});
