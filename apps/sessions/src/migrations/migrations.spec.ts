import type { EntitySchema, QueryRunner } from 'typeorm';
import { sessionsService } from '../sessions.service-definition';

/** The SQL each migration runs, against a fake runner (no database). */
async function createdTables(): Promise<Map<string, { columns: Map<string, string>; nullable: Set<string> }>> {
  const statements: string[] = [];
  const q = { connection: { options: { schema: 'sessions' } }, query: async (sql: string) => void statements.push(sql) } as unknown as QueryRunner;
  for (const M of sessionsService.migrations as (new () => { up(q: QueryRunner): Promise<void> })[]) await new M().up(q);
  const tables = new Map<string, { columns: Map<string, string>; nullable: Set<string> }>();
  for (const sql of statements) {
    const added = /^ALTER TABLE "sessions"\."(\w+)" ADD COLUMN "(\w+)" ([a-z ]+?)( NOT NULL| DEFAULT|$)/.exec(sql.trim());
    if (added) {
      const table = tables.get(added[1])!;
      table.columns.set(added[2], added[3].trim());
      if (!/NOT NULL/.test(sql)) table.nullable.add(added[2]);
      continue;
    }
    const m = /CREATE TABLE "sessions"\."(\w+)" \(([\s\S]+)\)$/.exec(sql.trim());
    if (!m) continue;
    const columns = new Map<string, string>();
    const nullable = new Set<string>();
    for (const line of m[2].split(/,\n/)) {
      const c = /"(\w+)" ([a-z ]+?)(?: PRIMARY KEY| NOT NULL| DEFAULT|$)/.exec(line.trim());
      if (!c) continue;
      columns.set(c[1], c[2].trim());
      if (!/NOT NULL|PRIMARY KEY/.test(line)) nullable.add(c[1]);
    }
    tables.set(m[1], { columns, nullable });
  }
  return tables;
}

describe('sessions migrations', () => {
  it('create every projection’s table with exactly its entity’s columns, types and nullability', async () => {
    const tables = await createdTables();
    for (const p of sessionsService.projections) {
      const options = (p.entity as EntitySchema).options;
      const table = tables.get(options.tableName!);
      expect([p.name, !!table]).toEqual([p.name, true]);
      const expected = Object.entries(options.columns).map(([prop, c]) => [c!.name ?? prop, String(c!.type)] as const);
      expect([...table!.columns.keys()].sort()).toEqual(expected.map(([n]) => n).sort());
      for (const [name, type] of expected) expect([name, table!.columns.get(name)]).toEqual([name, type]);
      for (const [prop, c] of Object.entries(options.columns)) expect([prop, table!.nullable.has(c!.name ?? prop)]).toEqual([prop, !!c!.nullable]);
    }
  });
});
