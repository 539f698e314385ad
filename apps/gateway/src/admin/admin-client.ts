import { Inject, Injectable } from '@nestjs/common';
import type { StreamInfo } from '@nats-io/jetstream';
import { Broker, QueryClient, QueryError } from '@baton/event-store';
import { ApiError } from '../http/api-error';
import {
  ADMIN_SERVICES,
  ReadModelState,
  RebuildResult,
  ServiceVerification,
  type AdminService,
  type ReadModelProgress,
  type ServiceReadModels,
  type StreamsReport,
  type VerifyReport,
} from '@baton/contracts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nsToMs = (ns: number | undefined) => Math.round((ns ?? 0) / 1e6);

/**
 * The admin queries of the domain services (each answers for its own read models; a rebuild
 * runs on the projection's leader) and what the gateway reads from JetStream itself.
 */
@Injectable()
export class AdminClient {
  constructor(
    @Inject(QueryClient) private readonly queries: QueryClient,
    @Inject(Broker) private readonly broker: Broker,
  ) {}

  async readModels(services: readonly AdminService[] = ADMIN_SERVICES): Promise<ServiceReadModels[]> {
    return Promise.all(
      services.map(async (service) => {
        try {
          const a = await this.queries.ask<{ lastSeq: number; readModels: unknown[]; answeredBy: string }>(service, 'admin_checkpoints', {}, { timeoutMs: 5_000 });
          return { service, lastSeq: a.lastSeq, readModels: a.readModels.map((m) => ReadModelState.parse(m)), answeredBy: a.answeredBy };
        } catch (e) {
          return { service, error: errorOf(e) };
        }
      }),
    );
  }

  async readModel(service: AdminService, name: string): Promise<ReadModelProgress> {
    const a = await this.queries.ask<{ lastSeq: number; readModels: unknown[] }>(service, 'admin_checkpoints', { name }, { timeoutMs: 5_000 });
    const m = ReadModelState.parse(a.readModels[0]);
    return { service, lastSeq: a.lastSeq, ...m, caughtUp: m.checkpoint >= a.lastSeq };
  }

  /** Asks the service to rebuild; retried while no replica leads the projection (an election). */
  async rebuild(service: AdminService, name: string, waitMs: number): Promise<RebuildResult> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const a = await this.queries.ask(service, 'admin_rebuild', { name, waitMs }, { timeoutMs: waitMs + 15_000 });
        return RebuildResult.parse(a);
      } catch (e) {
        if (!(e instanceof QueryError) || e.code !== 'unavailable' || Date.now() > deadline) throw e;
        await sleep(500);
      }
    }
  }

  async verify(services: readonly AdminService[], sampleSize: number): Promise<VerifyReport> {
    const started = performance.now();
    const results = await Promise.all(
      services.map(async (service): Promise<ServiceVerification> => {
        try {
          return ServiceVerification.parse(await this.queries.ask(service, 'admin_verify', { sampleSize }, { timeoutMs: 300_000 }));
        } catch (e) {
          return { service, ok: false, error: errorOf(e) };
        }
      }),
    );
    return { ok: results.every((r) => r.ok), ms: Math.round(performance.now() - started), services: results };
  }

  async streams(): Promise<StreamsReport> {
    const n = this.broker.names;
    const wanted: [string, StreamsReport['streams'][number]['role']][] = [
      [n.streams.events, 'events'],
      [n.streams.commands, 'commands'],
      [n.streams.terminal, 'terminal'],
      [`KV_${n.kv.runners}`, 'kv'],
      [`KV_${n.kv.commandResults}`, 'kv'],
    ];
    const infos = await Promise.all(wanted.map(async ([name, role]) => ({ role, info: await this.broker.jsm.streams.info(name).catch(() => null) })));
    const streams = infos.filter((x): x is { role: typeof x.role; info: StreamInfo } => x.info !== null).map(({ role, info }) => ({
      name: info.config.name,
      role,
      messages: info.state.messages,
      bytes: info.state.bytes,
      firstSeq: info.state.first_seq,
      lastSeq: info.state.last_seq,
      consumers: info.state.consumer_count,
      replicas: info.config.num_replicas,
      cluster: info.cluster
        ? {
            ...(info.cluster.name ? { name: info.cluster.name } : {}),
            ...(info.cluster.leader ? { leader: info.cluster.leader } : {}),
            replicas: (info.cluster.replicas ?? []).map((r) => ({ name: r.name, current: r.current, lag: r.lag ?? 0, activeMs: nsToMs(r.active) })),
          }
        : null,
    }));
    const consumers: StreamsReport['consumers'] = [];
    for (const stream of [n.streams.events, n.streams.commands]) {
      try {
        for await (const c of this.broker.jsm.consumers.list(stream)) {
          consumers.push({
            stream,
            name: c.name,
            durable: Boolean(c.config.durable_name),
            numPending: c.num_pending,
            numAckPending: c.num_ack_pending,
            numRedelivered: c.num_redelivered,
            deliveredSeq: c.delivered.stream_seq,
            ackFloorSeq: c.ack_floor.stream_seq,
          });
        }
      } catch {
        // a stream that does not exist yet has no consumers
      }
    }
    return { namespace: n.namespace, at: new Date().toISOString(), streams, consumers, readModels: await this.readModels() };
  }
}

function errorOf(e: unknown): { code: string; message: string } {
  if (e instanceof QueryError) return { code: e.code, message: e.message };
  if (e instanceof ApiError) return { code: 'internal', message: e.message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
