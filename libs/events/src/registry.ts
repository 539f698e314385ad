import { z } from 'zod';
import { StoredEnvelopeSchema, type EventEnvelope, type StoredEnvelope } from './envelope';
import { DecodeError } from './errors';
import type { CommandDefinition, EventDefinition, PastVersion } from './define';
import { describeIssues } from './zod-issues';
import { CommandEnvelopeSchema, type CommandEnvelope } from './command';

/**
 * Every event and command type Baton knows, with its schemas.
 * Decoding = parse the envelope, parse the data with the schema of its stored
 * version, then upcast step by step to the current version. Never a cast.
 */
export class Registry {
  private readonly events = new Map<string, EventDefinition>();
  private readonly commands = new Map<string, CommandDefinition>();

  registerEvents(...defs: EventDefinition[]): this {
    for (const def of defs) {
      for (const name of [def.type, ...def.aliases]) {
        if (this.events.has(name)) throw new Error(`event type registered twice: ${name}`);
        this.events.set(name, def);
      }
      const versions = new Set([def.version, ...def.past.map((p) => p.version)]);
      for (let v = 1; v < def.version; v++) {
        if (!versions.has(v)) throw new Error(`${def.type}: no schema for stored version ${v}`);
      }
    }
    return this;
  }

  registerCommands(...defs: CommandDefinition[]): this {
    for (const def of defs) {
      if (this.commands.has(def.type)) throw new Error(`command type registered twice: ${def.type}`);
      this.commands.set(def.type, def);
    }
    return this;
  }

  eventTypes(): string[] {
    return [...new Set([...this.events.values()].map((d) => d.type))];
  }

  commandTypes(): string[] {
    return [...this.commands.keys()];
  }

  event(type: string): EventDefinition | undefined {
    return this.events.get(type);
  }

  command(type: string): CommandDefinition | undefined {
    return this.commands.get(type);
  }

  /** Validates an event about to be stored; returns what goes on the wire. */
  encodeEvent(envelope: EventEnvelope): StoredEnvelope {
    const def = this.events.get(envelope.type);
    if (!def || def.type !== envelope.type) throw new DecodeError(`unknown event type "${envelope.type}"`);
    const data = def.schema.safeParse(envelope.data);
    if (!data.success) {
      throw new DecodeError(`invalid data for ${envelope.type}`, describeIssues(data.error));
    }
    return StoredEnvelopeSchema.parse({ ...envelope, version: def.version, data: data.data });
  }

  /** Parses stored bytes or JSON into a typed event at its current version. */
  decodeEvent(raw: unknown): EventEnvelope {
    const json = typeof raw === 'string' || raw instanceof Uint8Array ? parseJson(raw) : raw;
    const env = StoredEnvelopeSchema.safeParse(json);
    if (!env.success) throw new DecodeError('not an event envelope', describeIssues(env.error));
    const def = this.events.get(env.data.type);
    if (!def) throw new DecodeError(`unknown event type "${env.data.type}"`);
    const data = upcast(def, env.data.version, env.data.data);
    return { ...env.data, type: def.type, version: def.version, data };
  }

  /** Parses an incoming command; data is validated against the command's schema. */
  decodeCommand(raw: unknown): CommandEnvelope {
    const json = typeof raw === 'string' || raw instanceof Uint8Array ? parseJson(raw) : raw;
    const env = CommandEnvelopeSchema.safeParse(json);
    if (!env.success) throw new DecodeError('not a command envelope', describeIssues(env.error));
    const def = this.commands.get(env.data.type);
    if (!def) throw new DecodeError(`unknown command type "${env.data.type}"`);
    const data = def.schema.safeParse(env.data.data);
    if (!data.success) throw new DecodeError(`invalid data for ${env.data.type}`, describeIssues(data.error));
    return { ...env.data, data: data.data };
  }
}

function upcast(def: EventDefinition, storedVersion: number, data: unknown): unknown {
  if (storedVersion > def.version) {
    throw new DecodeError(`${def.type} v${storedVersion} is newer than this build knows (v${def.version})`);
  }
  let version = storedVersion;
  let current = data;
  while (version < def.version) {
    const past: PastVersion | undefined = def.past.find((p) => p.version === version);
    if (!past) throw new DecodeError(`${def.type}: no schema for stored version ${version}`);
    const parsed = past.schema.safeParse(current);
    if (!parsed.success) throw new DecodeError(`invalid data for ${def.type} v${version}`, describeIssues(parsed.error));
    current = past.upcast(parsed.data as never);
    version++;
  }
  const parsed = def.schema.safeParse(current);
  if (!parsed.success) throw new DecodeError(`invalid data for ${def.type} v${def.version}`, describeIssues(parsed.error));
  return parsed.data;
}

const decoder = new TextDecoder();
function parseJson(raw: string | Uint8Array): unknown {
  try {
    return JSON.parse(typeof raw === 'string' ? raw : decoder.decode(raw));
  } catch {
    throw new DecodeError('not JSON');
  }
}

export type { z };
