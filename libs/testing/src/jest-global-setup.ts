import { resolveInfra } from './infra';
import { sweepStaleNamespaces } from './namespace';

/** Jest globalSetup: pick the infrastructure once, share it with workers through env, sweep old leftovers. */
export default async function globalSetup(): Promise<void> {
  const infra = await resolveInfra();
  process.env.BATON_TEST_NATS_URL = infra.natsUrl;
  process.env.BATON_TEST_DATABASE_URL = infra.databaseUrl;
  (globalThis as { __batonInfraStop?: () => Promise<void> }).__batonInfraStop = infra.stop;
  const swept = await sweepStaleNamespaces().catch((e) => {
    console.warn(`could not sweep stale test namespaces: ${(e as Error).message}`);
    return [];
  });
  if (process.env.BATON_TEST_VERBOSE) console.log(`infra: ${infra.source}; swept ${swept.length} stale namespaces`);
}
