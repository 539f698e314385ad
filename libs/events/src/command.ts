import { z } from 'zod';
import { ActorSchema } from './envelope';

/** A request to change state, as it travels on `<ns>.cmd.<service>.<type>`. */
export const CommandEnvelopeSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.string().min(1),
  actor: ActorSchema,
  correlationId: z.string().min(1),
  /** Set by the edge that accepted the command; deciders read time from here, never a clock. */
  issuedAt: z.iso.datetime(),
  data: z.unknown(),
});
export type CommandEnvelope<TData = unknown> = Omit<z.infer<typeof CommandEnvelopeSchema>, 'data'> & { data: TData };

/** What the owning service answers. */
export type CommandReply =
  | {
      status: 'accepted';
      commandId: string;
      aggregate: { type: string; id: string };
      events: { id: string; type: string; seq: number }[];
      /** Highest stream sequence written; pass as `minSeq` to read your own write. */
      seq: number;
    }
  | {
      status: 'rejected';
      commandId: string;
      code: 'not_found' | 'conflict' | 'invalid_state' | 'validation' | 'forbidden' | 'internal';
      message: string;
      details?: Record<string, unknown>;
    };
