export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __batonInfraStop?: () => Promise<void> }).__batonInfraStop?.();
}
