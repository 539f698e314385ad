import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { eventually, freePort, startNatsServer, type ManagedProcess } from '@baton/testing';

type Node = ManagedProcess & { port: number; url: string; storeDir: string };

/** Three nats-servers with JetStream, clustered on loopback (what an R3 installation runs on). */
export class NatsCluster {
  readonly nodes = new Map<string, Node>();
  private readonly clusterPorts = new Map<string, number>();
  private readonly clientPorts = new Map<string, number>();

  constructor(readonly name = `rel${process.pid}`) {}

  get url(): string {
    return [...this.clientPorts.values()].map((p) => `nats://127.0.0.1:${p}`).join(',');
  }

  /** URLs of the nodes still running. */
  liveUrl(): string {
    return [...this.nodes.entries()].filter(([, n]) => n.running).map(([, n]) => n.url).join(',');
  }

  async start(size = 3): Promise<void> {
    const names = Array.from({ length: size }, (_, i) => `n${i + 1}`);
    for (const n of names) {
      this.clientPorts.set(n, await freePort());
      this.clusterPorts.set(n, await freePort());
    }
    await Promise.all(names.map((n) => this.startNode(n)));
    await this.waitForJetStream();
  }

  private async startNode(name: string, storeDir?: string): Promise<Node> {
    const routes = [...this.clusterPorts.entries()].filter(([n]) => n !== name).map(([, p]) => p);
    const node = await startNatsServer({ port: this.clientPorts.get(name), serverName: name, storeDir, cluster: { name: this.name, port: this.clusterPorts.get(name)!, routes } });
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
    return this.startNode(name, this.nodes.get(name)!.storeDir);
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.nodes.values()].map((n) => n.stop(3_000)));
  }
}
