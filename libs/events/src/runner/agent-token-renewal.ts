import { z } from 'zod';
import { IdSchema } from '../envelope';

/*
 * A runner keeps the tokens of the sessions it hosts fresh (docs/decisions/0024): it asks the
 * sessions service on core NATS, request/reply, `<ns>.agent_token.<runnerId>` (Names.agentToken).
 * The runner's id is in the subject, so NATS permissions can let each runner ask on its own
 * subject only; the sessions service answers only for a session that is live on that runner.
 * Nothing of it is stored: a token never enters a stream.
 */

export const AgentTokenRequestSchema = z.strictObject({
  sessionId: IdSchema,
});
export type AgentTokenRequest = z.infer<typeof AgentTokenRequestSchema>;

/** `not_live`: the session has ended or does not run on that runner (now); `unavailable`: ask again later. */
export const AgentTokenRefusalCodeSchema = z.enum(['not_live', 'unavailable', 'validation']);
export type AgentTokenRefusalCode = z.infer<typeof AgentTokenRefusalCodeSchema>;

export const AgentTokenReplySchema = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    token: z.string().min(1).max(16_384),
    issuedAt: z.iso.datetime({ offset: true }),
    expiresAt: z.iso.datetime({ offset: true }),
  }),
  z.strictObject({ ok: z.literal(false), code: AgentTokenRefusalCodeSchema, message: z.string().max(2_000) }),
]);
export type AgentTokenReply = z.infer<typeof AgentTokenReplySchema>;
