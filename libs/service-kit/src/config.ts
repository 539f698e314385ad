import { z } from 'zod';

/** What every Baton service reads from its environment. */
export const BaseConfigSchema = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  BATON_NAMESPACE: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/).default('baton'),
  NATS_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** Terminal recordings kept per installation: JetStream reserves this much disk up front. */
  BATON_TERMINAL_MAX_BYTES: z.coerce.number().int().min(1_048_576).default(1_073_741_824),
  BATON_TERMINAL_MAX_AGE_MS: z.coerce.number().int().min(60_000).default(7 * 24 * 3600_000),
  PORT: z.coerce.number().int().min(0).max(65535),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export const DatabaseConfigSchema = z.object({
  DATABASE_URL: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/postgres'),
});

/**
 * Validates the environment at boot. A missing or malformed variable stops the
 * process with its name, before anything connects anywhere.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
  process.stderr.write(`invalid configuration:\n${lines.join('\n')}\n`);
  process.exit(2);
}

/** The stream and bucket settings every service applies at start (the same for all, so no flapping). */
export function topologyOf(config: { NATS_REPLICAS: number; BATON_TERMINAL_MAX_BYTES: number; BATON_TERMINAL_MAX_AGE_MS: number }) {
  return { replicas: config.NATS_REPLICAS, terminalMaxBytes: config.BATON_TERMINAL_MAX_BYTES, terminalMaxAgeMs: config.BATON_TERMINAL_MAX_AGE_MS };
}
