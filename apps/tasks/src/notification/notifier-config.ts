import { z } from 'zod';

/** The notifier's settings, read at start; a bad value stops the service with its name. */
export const NotifierConfigSchema = z.object({
  /** The web app's public address: notifications link into it (a session's answer box). */
  BATON_PUBLIC_URL: z.url().default('http://127.0.0.1:3100'),
  BATON_NOTIFY_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  BATON_NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** The first retry's wait; each next one doubles, up to 5 minutes. */
  BATON_NOTIFY_RETRY_MS: z.coerce.number().int().min(10).max(300_000).default(2_000),
  /** The longest wait between two tries. */
  BATON_NOTIFY_MAX_RETRY_MS: z.coerce.number().int().min(10).max(3_600_000).default(300_000),
  BATON_NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  /** How long a finished (delivered or failed) delivery stays in the log: 30 days. */
  BATON_NOTIFY_RETENTION_MS: z.coerce.number().int().min(1_000).default(30 * 24 * 3_600_000),
  /** How often the log is swept of what is older. */
  BATON_NOTIFY_SWEEP_MS: z.coerce.number().int().min(100).max(86_400_000).default(3_600_000),
});
export type NotifierConfig = z.infer<typeof NotifierConfigSchema>;

export function loadNotifierConfig(env: NodeJS.ProcessEnv): NotifierConfig {
  const parsed = NotifierConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
