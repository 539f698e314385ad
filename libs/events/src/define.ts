import { z } from 'zod';
import type { AggregateType, EventEnvelope, NewEvent } from './envelope';

/** An older stored version of an event and how to lift it one version up. */
export interface PastVersion {
  version: number;
  schema: z.ZodType;
  /** Turns data of `version` into data of `version + 1`. */
  upcast: (data: never) => unknown;
}

export interface EventDefinition<TType extends string = string, TSchema extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly type: TType;
  readonly aggregate: AggregateType;
  /** Current version: what deciders emit and projections read. */
  readonly version: number;
  readonly schema: TSchema;
  /** Older versions, any order; each upcasts to the next. */
  readonly past: readonly PastVersion[];
  /** Former names of this type, kept so history written under them still decodes. */
  readonly aliases: readonly string[];
  /** Builds the event a decider returns (validated at append, not here: deciders stay cheap). */
  (data: z.output<TSchema>): NewEvent<TType, z.output<TSchema>>;
}

export type EventOf<D> = D extends EventDefinition<infer T, infer S> ? EventEnvelope<T, z.output<S>> : never;
export type NewEventOf<D> = D extends EventDefinition<infer T, infer S> ? NewEvent<T, z.output<S>> : never;

export function defineEvent<TType extends string, TSchema extends z.ZodType>(spec: {
  type: TType;
  aggregate: AggregateType;
  schema: TSchema;
  version?: number;
  past?: PastVersion[];
  aliases?: string[];
}): EventDefinition<TType, TSchema> {
  const make = (data: z.output<TSchema>): NewEvent<TType, z.output<TSchema>> => ({ type: spec.type, data });
  return Object.assign(make, {
    kind: 'event' as const,
    type: spec.type,
    aggregate: spec.aggregate,
    version: spec.version ?? 1,
    schema: spec.schema,
    past: spec.past ?? [],
    aliases: spec.aliases ?? [],
  });
}

export type ServiceName = 'tasks' | 'sessions';

export interface CommandDefinition<TType extends string = string, TSchema extends z.ZodType = z.ZodType> {
  readonly kind: 'command';
  readonly type: TType;
  /** The service whose durable consumer handles it (`<ns>.cmd.<service>.<type>`). */
  readonly service: ServiceName;
  readonly schema: TSchema;
}

export type CommandDataOf<D> = D extends CommandDefinition<string, infer S> ? z.output<S> : never;

export function defineCommand<TType extends string, TSchema extends z.ZodType>(spec: {
  type: TType;
  service: ServiceName;
  schema: TSchema;
}): CommandDefinition<TType, TSchema> {
  return { kind: 'command', ...spec };
}
