import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Broker } from '@baton/event-store';
import { createTestNamespace, eventually, freePort, startNatsServer, type ManagedProcess, type Netns, type TestNamespace } from '@baton/testing';
import { call } from './http';
import { Stack } from './stack';

type Node = ManagedProcess & { port: number; url: string; storeDir: string };

/** Three nats-servers with JetStream, clustered on loopback (what an R3 installation runs on). */
export class NatsCluster {
  readonly nodes = new Map<string, Node>();
  private readonly clusterPorts = new Map<string, number>();
  /** Output of a node's earlier lives (before a kill), kept for `dump`. */
  private readonly earlier = new Map<string, string>();
  private readonly clientPorts = new Map<string, number>();

  constructor(readonly name = `rel${process.pid}`) {}

  get url(): string {
    return [...this.clientPorts.values()].map((p) => `nats://127.0.0.1:${p}`).join(',');
  }

  /** URLs of the nodes still running. */
  liveUrl(): string {
    return [...this.nodes.entries()].filter(([, n]) => n.running).map(([, n]) => n.url).join(',');
  }

  /**
   * `isolated`: nodes that run in a network namespace of their own (libs/testing netns.ts),
   * reaching the others and reached by clients only across its link; the URLs stay 127.0.0.1.
   */
  async start(size = 3, isolated: Map<string, Netns> = new Map()): Promise<void> {
    const names = Array.from({ length: size }, (_, i) => `n${i + 1}`);
    for (const n of names) {
      this.clientPorts.set(n, await freePort());
      this.clusterPorts.set(n, await freePort());
    }
    for (const [name, netns] of isolated) {
      this.isolated.set(name, netns);
      // The other nodes' cluster ports on its 127.0.0.1; its ports on ours.
      await netns.forwardIn(names.filter((n) => n !== name).map((n) => this.clusterPorts.get(n)!));
      await netns.forwardOut(this.clientPorts.get(name)!);
      await netns.forwardOut(this.clusterPorts.get(name)!);
    }
    await Promise.all(names.map((n) => this.startNode(n)));
    await this.waitForJetStream();
  }

  private readonly isolated = new Map<string, Netns>();

  private async startNode(name: string, storeDir?: string): Promise<Node> {
    const routes = [...this.clusterPorts.entries()].filter(([n]) => n !== name).map(([, p]) => p);
    const netns = this.isolated.get(name);
    const node = await startNatsServer({
      port: this.clientPorts.get(name),
      serverName: name,
      storeDir,
      cluster: { name: this.name, port: this.clusterPorts.get(name)!, routes },
      ...(netns ? { bind: netns.nsAddr, wrap: netns.wrap([]) } : {}),
    });
    this.nodes.set(name, node);
    return node;
  }

  /** JetStream answers once the cluster has elected its meta leader. */
  async waitForJetStream(timeoutMs = 30_000): Promise<void> {
    await eventually(
      async () => {
        const nc = await connect({ servers: this.liveUrl().split(','), timeout: 2_000 });
        try {
          const jsm = await jetstreamManager(nc, { timeout: 2_000 });
          await jsm.getAccountInfo();
          return true;
        } finally {
          await nc.close();
        }
      },
      timeoutMs,
      'JetStream on the cluster',
    );
  }

  async kill9(name: string): Promise<void> {
    await this.nodes.get(name)!.kill9();
  }

  /** Starts a killed node again on its ports and its store: it rejoins and catches up. */
  async restart(name: string): Promise<Node> {
    const before = this.nodes.get(name)!;
    this.earlier.set(name, `${this.earlier.get(name) ?? ''}${before.output()}\n----- restarted -----\n`);
    return this.startNode(name, before.storeDir);
  }

  /** Writes every node's log to `dir` (elections, lost quorum: the broker's side of a run). */
  dump(dir: string): void {
    mkdirSync(dir, { recursive: true });
    for (const [name, n] of this.nodes) writeFileSync(join(dir, `nats-${name}.log`), `${this.earlier.get(name) ?? ''}${n.output()}`);
  }

  async stop(): Promise<void> {
    if (process.env.BATON_REL_LOGS) this.dump(process.env.BATON_REL_LOGS);
    await Promise.allSettled([...this.nodes.values()].map((n) => n.stop(3_000)));
  }
}

/**
 * Baton on the cluster, R3: a namespace, its streams made (R3) before the services race to make
 * them, two tasks replicas and a gateway; resolves once the bootstrap admin answers.
 */
export async function startStackOnCluster(cluster: NatsCluster): Promise<{ ns: TestNamespace; stack: Stack }> {
  const ns = await createTestNamespace();
  const broker = await Broker.connect({ servers: cluster.url, namespace: ns.namespace });
  await broker.ensureTopology({ replicas: 3, terminalMaxBytes: 64 * 1024 ** 2 });
  await broker.close();
  const stack = new Stack({ ...ns.env, NATS_URL: cluster.url, NATS_REPLICAS: '3' });
  await stack.start('tasks-a', { app: 'tasks' });
  await stack.start('tasks-b', { app: 'tasks' });
  await stack.start('gateway', { app: 'gateway' });
  await eventually(async () => (await call(() => stack.gatewayUrl, ns.token, 'GET', '/api/me')).status === 200, 30_000, 'the bootstrap admin');
  return { ns, stack };
}
