import { z } from 'zod';
import { loadConfig } from '@baton/service-kit';
import { AGENT_TOKEN_TTL_MS, MAX_AGENT_TOKEN_TTL_MS, MIN_SECRET_LENGTH } from '../launch/agent-token';

const ms = (def: number, min = 50) => z.coerce.number().int().min(min).max(600_000).default(def);
const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);

/** The sessions service's own settings, beside the base ones every service reads. */
export const SessionsConfigSchema = z.object({
  /**
   * Seeds the Ed25519 key session tokens (BATON_TOKEN) are signed with; absent: generated once and
   * kept in KV `<ns>_sessions`. Only this service holds it: the gateway gets the public key.
   */
  BATON_AGENT_TOKEN_SECRET: z.preprocess(blankIsAbsent, z.string().min(MIN_SECRET_LENGTH).optional()),
  /**
   * How long a session token lives. The runner hosting the session renews it at about half its
   * life while the session lives (docs/decisions/0024); short, so a leaked token soon dies.
   */
  BATON_AGENT_TOKEN_TTL_MS: z.coerce.number().int().min(2_000).max(MAX_AGENT_TOKEN_TTL_MS).default(AGENT_TOKEN_TTL_MS),
  /** What agents call back (BATON_API_URL): the gateway as runners reach it. */
  BATON_PUBLIC_API_URL: z.url().default('http://127.0.0.1:3100'),
  /** Sessions running at once in the whole installation; absent: no global cap. */
  BATON_MAX_SESSIONS: z.preprocess(blankIsAbsent, z.coerce.number().int().positive().optional()),
  BATON_SCHEDULER_INTERVAL_MS: ms(500),
  BATON_LIVENESS_INTERVAL_MS: ms(2_000),
  /** How long a lost session waits for its runner to answer again and reclaim it before it is moved (docs/decisions/0026). */
  BATON_LOST_HOLD_MS: ms(90_000, 0),
  BATON_TIMERS_INTERVAL_MS: ms(1_000),
  /** How often a standby replica tries to take over a leader's loops. */
  BATON_LEADER_CHECK_MS: ms(2_000, 100),
  NATS_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
});
export type SessionsConfig = z.output<typeof SessionsConfigSchema>;

export function loadSessionsConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<SessionsConfig> = {}): SessionsConfig {
  return { ...loadConfig(SessionsConfigSchema, env), ...overrides };
}
