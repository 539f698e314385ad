import type { DataSource, EntityManager } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { Projection } from './projection';

interface UpsertPlan {
  sql: string;
  columns: { column: ColumnMetadata; toDb: (row: Record<string, unknown>) => unknown }[];
}

/** Per DataSource, then per entity: the plan names the DataSource's schema (admin verify writes a scratch one). */
const plans = new WeakMap<DataSource, WeakMap<object, UpsertPlan>>();

/** Postgres array type of a column, for `unnest($n::<type>[])`. */
function sqlType(column: ColumnMetadata): string {
  const t = column.type;
  if (typeof t === 'string') return t === 'int' ? 'integer' : t;
  if (t === String) return 'text';
  if (t === Number) return 'double precision';
  if (t === Boolean) return 'boolean';
  if (t === Date) return 'timestamptz';
  throw new Error(`column ${column.propertyName}: give it an explicit SQL type`);
}

/**
 * One `INSERT … SELECT FROM unnest(…) ON CONFLICT (id) DO UPDATE` per batch, built
 * from the TypeORM entity's metadata. TypeORM's own upsert binds one named
 * parameter per value and spent half the rebuild building queries (bench/README).
 */
function planFor(db: DataSource, p: Projection): UpsertPlan {
  let forDb = plans.get(db);
  if (!forDb) plans.set(db, (forDb = new WeakMap()));
  let plan = forDb.get(p.entity);
  if (plan) return plan;
  const meta = db.getMetadata(p.entity);
  const table = `"${meta.schema ?? (db.options as { schema?: string }).schema}"."${meta.tableName}"`;
  const columns = meta.columns.map((column) => {
    const type = sqlType(column);
    const transformer = Array.isArray(column.transformer) ? undefined : column.transformer;
    const toDb = (row: Record<string, unknown>) => {
      let v = row[column.propertyName];
      if (transformer) v = transformer.to(v);
      if (v === undefined) v = null;
      return type === 'jsonb' || type === 'json' ? (v === null ? null : JSON.stringify(v)) : v;
    };
    return { column, toDb, type };
  });
  const names = columns.map((c) => `"${c.column.databaseName}"`);
  const unnest = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const updates = columns.filter((c) => !c.column.isPrimary).map((c) => `"${c.column.databaseName}" = EXCLUDED."${c.column.databaseName}"`);
  const key = meta.primaryColumns.map((c) => `"${c.databaseName}"`).join(', ');
  // A row that is nothing but its key has nothing to update: an empty SET list is a syntax error.
  const onConflict = updates.length ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
  plan = {
    sql: `INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${unnest}) ON CONFLICT (${key}) ${onConflict}`,
    columns,
  };
  forDb.set(p.entity, plan);
  return plan;
}

export async function upsertRows(em: EntityManager, db: DataSource, p: Projection, rows: { id: string }[]): Promise<void> {
  const plan = planFor(db, p);
  for (let i = 0; i < rows.length; i += 5_000) {
    const chunk = rows.slice(i, i + 5_000) as unknown as Record<string, unknown>[];
    await em.query(
      plan.sql,
      plan.columns.map((c) => chunk.map((row) => c.toDb(row))),
    );
  }
}
