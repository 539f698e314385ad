import { DataSource, type EntitySchema, type MigrationInterface, type QueryRunner } from 'typeorm';

export interface DatabaseOptions {
  url: string;
  /** Postgres schema this service owns; created if missing. */
  schema: string;
  entities: EntitySchema[];
  migrations: (new () => MigrationInterface)[];
  poolSize?: number;
  applicationName?: string;
}

/** The schema a migration runs in: the DataSource's, never a hard-coded name. */
export function schemaOf(q: QueryRunner): string {
  const schema = (q.connection.options as { schema?: string }).schema;
  if (!schema) throw new Error('DataSource has no schema');
  return schema;
}

/** Opens the service's database: schema, then migrations (never `synchronize`). */
export async function openDatabase(opts: DatabaseOptions): Promise<DataSource> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(opts.schema)) throw new Error(`bad schema name "${opts.schema}"`);
  const ds = new DataSource({
    type: 'postgres',
    url: opts.url,
    schema: opts.schema,
    entities: opts.entities,
    migrations: opts.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
    poolSize: opts.poolSize ?? 10,
    applicationName: opts.applicationName,
    extra: { connectionTimeoutMillis: 5_000 },
  });
  await ds.initialize();
  // Two replicas starting at once must not race on CREATE SCHEMA or on a migration.
  await ds.transaction(async (em) => {
    await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`baton-migrate:${opts.schema}`]);
    await em.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema}"`);
  });
  const lock = await ds.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`baton-migrate:${opts.schema}`]);
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [`baton-migrate:${opts.schema}`]).catch(() => undefined);
    await lock.release();
  }
  return ds;
}
