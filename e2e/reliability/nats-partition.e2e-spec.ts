import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { eventually, Netns, netnsAvailable, sleep, type TestNamespace } from '@baton/testing';
import { VerifyReport } from '@baton/contracts';
import { benchLine, percentile } from './harness/bench-line';
import { NatsCluster, startStackOnCluster } from './harness/cluster';
import { call } from './harness/http';
import { Load } from './harness/load';
import { Prober } from './harness/prober';
import { exactlyOnce, readLog } from './harness/log';
import { Stack } from './harness/stack';

const CLIENTS = 8;
const PER_CLIENT = Number(process.env.BATON_REL_PER_CLIENT_PARTITION ?? 100); // + one project each: 808 commands
const CUT_MS = 60_000;
const available = netnsAvailable();

/*
 * Issue #13 item 6, the broker's half: the node leading the events stream of a 3-node R3
 * cluster runs in a network namespace of its own (libs/testing netns.ts) — the other nodes and
 * every client reach it only across one veth link — and the link goes down for 60 s in the
 * middle of a storm of commands, then comes back. Not a kill: the node keeps running, cut off,
 * believing itself the leader until it learns otherwise. No accepted command is lost or doubled,
 * the storm completes, the node catches up after the heal, and the read models equal the log.
 */
(available.ok ? describe : describe.skip)(`a NATS node cut off for ${CUT_MS / 1000} s during a storm of commands${available.ok ? '' : ` (skipped: ${available.why})`}`, () => {
  let storm: Load | undefined;
  let ns: TestNamespace;
  let stack: Stack;
  let netns: Netns;
  const cluster = new NatsCluster(`part${process.pid}`);
  const api = <T = unknown>(method: string, path: string, body?: unknown) => call<T>(() => stack.gatewayUrl, ns.token, method, path, body, { timeoutMs: 90_000 });

  beforeAll(async () => {
    netns = Netns.create(1);
    await cluster.start(3, new Map([['n3', netns]]));
    ({ ns, stack } = await startStackOnCluster(cluster));
  }, 180_000);

  afterAll(async () => {
    storm?.abort();
    netns?.heal();
    await stack?.stop();
    await cluster.stop();
    await ns?.cleanup();
    netns?.destroy();
  });

  it('loses no accepted command, doubles none, and the node catches up once the link is back', async () => {
    const eventsStream = `${ns.namespace.toUpperCase()}_EVENTS`;
    const nc = await connect({ servers: cluster.url.split(',') });
    const jsm = await jetstreamManager(nc);
    // The isolated node leads the events stream (nats-server 2.9 has no preferred stepdown: ask until it does).
    await eventually(
      async () => {
        const leader = (await jsm.streams.info(eventsStream)).cluster?.leader;
        if (leader === 'n3') return true;
        await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${eventsStream}`, undefined, { timeout: 5_000 }).catch(() => undefined);
        await sleep(1_500);
        return false;
      },
      90_000,
      'n3 leading the events stream',
    );
    await nc.close();

    const probeProject = await api<{ id: string }>('POST', '/api/projects', { name: 'Probe', repository: { location: '/srv/probe' } });
    const prober = new Prober(() => stack.gatewayUrl, ns.token, probeProject.body.id, 'probe');
    const load = new Load({ base: () => stack.gatewayUrl, token: ns.token, clients: CLIENTS, perClient: PER_CLIENT, prefix: 'storm' }).start();
    storm = load;
    const t0 = Date.now();
    const progress = setInterval(() => process.stderr.write(`[partition storm ${((Date.now() - t0) / 1000).toFixed(0)} s] accepted ${load.acceptedCount}, resends ${load.result.retries}\n`), 10_000);
    await eventually(() => load.acceptedCount >= CLIENTS * PER_CLIENT / 4, 120_000, 'a quarter of the storm accepted');
    prober.start();
    await sleep(1_000);
    netns.cut();
    const cutAt = Date.now();
    await sleep(CUT_MS);
    netns.heal();
    const healedAt = Date.now();
    const result = await load.finished().finally(() => clearInterval(progress));
    await prober.stop();
    expect(prober.failed).toEqual([]);

    // Every command was answered for good; none refused; exactly once in the log.
    expect(result.refused).toEqual([]);
    expect(result.accepted).toHaveLength(CLIENTS * (PER_CLIENT + 1));
    const acceptedDuringCut = result.accepted.filter((a) => a.sentAt >= cutAt && a.sentAt + a.ms < healedAt).length;
    // The node rejoins after the heal and JetStream re-elects: it may answer "temporarily unavailable" meanwhile.
    const log = await eventually(() => readLog(cluster.url, ns.namespace), 120_000, 'the log readable after the heal');
    const report = exactlyOnce(result.accepted, log);
    expect(report).toMatchObject({ missing: [], duplicated: [], duplicateEventIds: [], misplaced: [] });

    // The cut-off node catches up with the events stream once the link is back.
    const nc2 = await connect({ servers: cluster.url.split(',') });
    const jsm2 = await eventually(() => jetstreamManager(nc2), 120_000, 'JetStream answering after the heal');
    const info = await eventually(async () => {
      const i = await jsm2.streams.info(eventsStream);
      const peers = [i.cluster?.leader, ...(i.cluster?.replicas ?? []).filter((r) => r.current && !r.offline).map((r) => r.name)];
      return peers.includes('n3') && i.state.last_seq === log[log.length - 1].seq && peers.length === 3 ? i : null;
    }, 120_000, 'n3 current again');
    const caughtUpS = (Date.now() - healedAt) / 1000;
    await nc2.close();
    expect(info.cluster?.leader).toBeDefined();

    await eventually(async () => {
      const v = VerifyReport.parse((await api('POST', '/api/admin/verify', { services: ['tasks'] })).body);
      return v.ok ? v : null;
    }, 60_000, 'admin verify to find no difference');

    // Recovery as clients saw it: fresh commands prompt again after the cut, and after the heal.
    const recoveryS = prober.recoverySeconds(cutAt);
    const latencies = result.accepted.map((a) => a.ms);
    process.stdout.write(
      `nats node n3 cut off ${CUT_MS / 1000} s: ${result.accepted.length} storm commands accepted (${acceptedDuringCut} sent and answered while it was cut off), ${result.retries} resends; ` +
        `fresh commands prompt again ${recoveryS.toFixed(2)} s after the cut; n3 current again ${caughtUpS.toFixed(1)} s after the heal; storm p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms\n`,
    );
    benchLine({ name: 'fleet.partition.nats_node.recovery', value: Number(caughtUpS.toFixed(1)), unit: 's', target: 'value<=10', ok: caughtUpS <= 10 });
    benchLine({ name: 'fleet.partition.nats_node.commands_prompt_after_cut', value: Number(recoveryS.toFixed(2)), unit: 's' });
    // The storm went on while the node was cut off: commands were accepted by the two nodes left.
    expect(acceptedDuringCut).toBeGreaterThan(0);
  }, 600_000);
});
