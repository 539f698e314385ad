import { InvalidArgumentError, type Command } from 'commander';
import { CliError, seg } from '../api-client';
import { emit, type Ctx } from '../context';
import { nonNegativeInt, withJson } from '../options';
import { formatTable } from '../output';
import type { JsonOpt } from './shared';
import { ADMIN_SERVICES, type AdminService, type ReadModelProgress, type RebuildResult, type RowDifference, type ServiceReadModels, type StreamsReport, type VerifyReport } from '@baton/contracts';

/*
 * `baton admin …`: operating an installation through the gateway's admin routes (admin role):
 * rebuild a read model, verify every read model against the log, streams and consumer lag.
 * The shapes are the admin API's (libs/contracts/src/admin.ts).
 */

/** What `rebuild` is asked for: `name` (the service is looked up) or `service/name`. */
export interface ReadModelTarget {
  service?: AdminService;
  name: string;
}

const NAME = /^[a-z][a-z0-9_]{0,40}$/;
const isService = (s: string): s is AdminService => (ADMIN_SERVICES as readonly string[]).includes(s);

export function parseReadModel(v: string): ReadModelTarget {
  const parts = v.trim().split('/');
  if (parts.length > 2) throw new InvalidArgumentError(`must be NAME or SERVICE/NAME, got "${v}"`);
  const [service, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (service !== undefined && !isService(service)) throw new InvalidArgumentError(`the service must be one of ${ADMIN_SERVICES.join(', ')}, got "${service}"`);
  if (!NAME.test(name)) throw new InvalidArgumentError(`"${name}" is not a read model name (lower case letters, digits and "_", starting with a letter)`);
  return { service, name };
}

export function parseService(v: string, prev: AdminService[] = []): AdminService[] {
  if (!isService(v)) throw new InvalidArgumentError(`must be one of ${ADMIN_SERVICES.join(', ')}`);
  return prev.includes(v) ? prev : [...prev, v];
}

/** Which service owns `name`, from the read-model list; bad input when none or several do. */
export function resolveService(name: string, list: readonly ServiceReadModels[]): AdminService {
  const owners = list.filter((s) => s.readModels?.some((m) => m.name === name)).map((s) => s.service);
  if (owners.length === 1) return owners[0];
  if (owners.length > 1) throw new CliError(`${owners.join(' and ')} both have a read model "${name}"; say which: ${owners.map((s) => `${s}/${name}`).join(' or ')}`, 2);
  const silent = list.filter((s) => s.error);
  if (silent.length) throw new CliError(`no answering service has a read model "${name}" (${silent.map((s) => `${s.service}: ${s.error!.message}`).join('; ')}); name it as SERVICE/${name}`, 1);
  const known = list.flatMap((s) => (s.readModels ?? []).map((m) => `${s.service}/${m.name}`));
  throw new CliError(`no read model "${name}"; there are: ${known.join(', ') || '(none)'}`, 2);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);

export function formatReadModels(list: readonly ServiceReadModels[]): string {
  const rows = list.flatMap((s) =>
    s.error
      ? [{ service: s.service, name: `(no answer: ${s.error.message})` }]
      : (s.readModels ?? []).map((m) => ({
          service: s.service,
          name: m.name,
          version: m.version,
          checkpoint: m.checkpoint,
          log: s.lastSeq,
          lag: m.lag,
          rows: m.rows,
          leader: m.replica?.leader ? s.answeredBy : undefined,
          // A read model held by an event it cannot apply says so, instead of only lagging.
          problem: m.replica?.failures ? `${m.replica.failures} failed tries: ${m.replica.lastError ?? ''}` : undefined,
        })),
  );
  const columns = ['service', 'name', 'version', 'checkpoint', 'log', 'lag', 'rows'];
  return formatTable(rows, rows.some((r) => 'problem' in r && r.problem) ? [...columns, 'problem'] : columns);
}

export function formatStreams(r: StreamsReport): string {
  const streams = r.streams.map((s) => ({
    ...s,
    bytes: formatBytes(s.bytes),
    leader: s.cluster?.leader,
    behind: s.cluster ? s.cluster.replicas.filter((x) => !x.current || x.lag > 0).map((x) => `${x.name}(${x.lag})`) : undefined,
  }));
  const consumers = r.consumers.map((c) => ({ ...c, pending: c.numPending, ackPending: c.numAckPending, redelivered: c.numRedelivered }));
  return [
    `namespace ${r.namespace} at ${r.at}\n`,
    `STREAMS\n${formatTable(streams, ['name', 'role', 'messages', 'bytes', 'firstSeq', 'lastSeq', 'consumers', 'replicas', 'leader', 'behind'])}`,
    `CONSUMERS (lag = pending)\n${formatTable(consumers, ['stream', 'name', 'pending', 'ackPending', 'redelivered', 'deliveredSeq', 'ackFloorSeq'])}`,
    `READ MODELS\n${formatReadModels(r.readModels)}`,
  ].join('\n');
}

export function formatVerify(r: VerifyReport): string {
  const out: string[] = [];
  for (const s of r.services) {
    if (s.error) {
      out.push(`${s.service}: did not answer (${s.error.code}: ${s.error.message})`);
      continue;
    }
    const models = s.readModels ?? [];
    const differing = models.filter((m) => m.onlyLive + m.onlyRebuilt + m.different > 0);
    const undecodable = s.undecodable ? `, ${s.undecodable} undecodable` : '';
    out.push(
      differing.length
        ? `${s.service}: ${differing.length} of ${models.length} read models differ from their rebuild from the log (${s.eventsRead ?? 0} events${undecodable}, ${seconds(s.ms)})`
        : `${s.service}: ${models.length} read models equal their rebuild from the log (${s.eventsRead ?? 0} events${undecodable}, ${seconds(s.ms)})${s.ok ? '' : ' — but the service reports a problem'}`,
    );
    if (!differing.length) continue;
    out.push(
      formatTable(differing.map((m) => ({ ...m })), ['name', 'checkpoint', 'liveRows', 'rebuiltRows', 'onlyLive', 'onlyRebuilt', 'different'])
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    for (const m of differing) {
      for (const d of m.sample) out.push(`  ${s.service}/${m.name} ${d.id}: ${describeDifference(d)}`);
      const more = m.onlyLive + m.onlyRebuilt + m.different - m.sample.length;
      if (more > 0) out.push(`  ${s.service}/${m.name}: …and ${more} more (--sample)`);
    }
  }
  out.push(r.ok ? `verify: no differences (${seconds(r.ms)})` : `verify: DIFFERENCES FOUND (${seconds(r.ms)})`);
  return `${out.join('\n')}\n`;
}

function describeDifference(d: RowDifference): string {
  if (d.kind === 'only_live') return 'in the live read model only (the log does not produce it)';
  if (d.kind === 'only_rebuilt') return 'missing from the live read model';
  return `differs in ${d.columns?.length ? d.columns.join(', ') : 'its values'}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The gateway waits at most this long in one rebuild request; longer waits poll the read model. */
const MAX_REQUEST_WAIT_MS = 60_000;

export function registerAdminCommands(program: Command, ctx: Ctx): void {
  const admin = program.command('admin').description('operate the installation: rebuild and verify read models, streams and lag (admins)');

  withJson(admin.command('read-models').description('every read model of every service: checkpoint against the log, lag, rows')).action(async (o: JsonOpt) => {
    const list = await ctx.api().get<{ services: ServiceReadModels[] }>('/api/admin/read-models');
    emit(ctx, o.json, list, () => formatReadModels(list.services));
  });

  withJson(
    admin
      .command('rebuild')
      .description('rebuild a read model from the log: drop its rows, replay from sequence 1 (on the replica that leads it)')
      .argument('<read-model>', 'NAME or SERVICE/NAME, e.g. tasks or sessions/sessions (see `baton admin read-models`)', parseReadModel)
      .option('--wait <seconds>', 'wait this long for it to catch up with the log; 0 starts it and returns', nonNegativeInt, 600),
  ).action(async (target: ReadModelTarget, o: { wait: number } & JsonOpt) => {
    const api = ctx.api();
    const service = target.service ?? resolveService(target.name, (await api.get<{ services: ServiceReadModels[] }>('/api/admin/read-models')).services);
    const path = `/api/admin/read-models/${seg(service)}/${seg(target.name)}`;
    const waitMs = o.wait * 1000;
    const started = Date.now();
    const deadline = started + waitMs;
    let result: RebuildResult;
    try {
      result = await api.post<RebuildResult>(`${path}/rebuild`, { waitMs: Math.min(waitMs, MAX_REQUEST_WAIT_MS) });
    } catch (e) {
      if (e instanceof CliError && e.status === 404) throw new CliError(`${service} has no read model "${target.name}" (see \`baton admin read-models\`)`, 2, 404);
      throw e;
    }
    // Longer than one request may wait: follow the read model until it has passed where the rebuild started.
    let reported = Date.now();
    const followed = result.status === 'rebuilding' && Date.now() < deadline;
    while (result.status === 'rebuilding' && Date.now() < deadline) {
      await sleep(Math.min(1_000, Math.max(0, deadline - Date.now())));
      const p = await api.get<ReadModelProgress>(path);
      result = { ...result, checkpoint: p.checkpoint, rows: p.rows, status: p.checkpoint >= result.targetSeq ? 'caught_up' : 'rebuilding' };
      if (!o.json && Date.now() - reported > 5_000) {
        reported = Date.now();
        ctx.writeErr(`rebuilding ${service}/${target.name}: ${p.checkpoint} of ${result.targetSeq}\n`);
      }
    }
    if (followed) result = { ...result, ms: Date.now() - started };
    emit(ctx, o.json, result, () =>
      result.status === 'caught_up'
        ? `rebuilt ${service}/${target.name}: ${result.rows} rows, checkpoint ${result.checkpoint} (the log was at ${result.targetSeq}), ${seconds(result.ms)} on ${result.answeredBy}\n`
        : `rebuilding ${service}/${target.name} on ${result.answeredBy}: checkpoint ${result.checkpoint} of ${result.targetSeq}; follow it with \`baton admin read-models\`\n`,
    );
    if (result.status !== 'caught_up' && o.wait > 0) throw new CliError(`${service}/${target.name} had not caught up after ${o.wait}s (still rebuilding)`, 1);
  });

  withJson(
    admin
      .command('verify')
      .description('rebuild every read model from the log into a scratch schema and compare it with the live one; prints differences, exits 1 when there are any')
      .option('--service <service>', `only this service (repeatable): ${ADMIN_SERVICES.join(', ')}`, parseService)
      .option('--sample <n>', 'list at most this many differing row ids per read model (0-100)', nonNegativeInt, 10),
  ).action(async (o: { service?: AdminService[]; sample: number } & JsonOpt) => {
    if (o.sample > 100) throw new CliError('--sample must be 100 or less', 2);
    const report = await ctx.api().post<VerifyReport>('/api/admin/verify', { ...(o.service ? { services: o.service } : {}), sampleSize: o.sample });
    emit(ctx, o.json, report, () => formatVerify(report));
    if (!report.ok) {
      const failed = report.services.filter((s) => !s.ok).map((s) => s.service);
      throw new CliError(`verify found differences or errors in ${failed.join(', ')}`, 1);
    }
  });

  withJson(admin.command('streams').description('streams (messages, bytes, replicas), consumers with their lag, read-model checkpoints')).action(async (o: JsonOpt) => {
    const report = await ctx.api().get<StreamsReport>('/api/admin/streams');
    emit(ctx, o.json, report, () => formatStreams(report));
  });
}
