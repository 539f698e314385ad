import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/*
 * A network namespace on this machine for partition tests (issue #13 item 6): a process run in
 * it reaches the machine only through one veth pair with loopback-range addresses
 * (127.<200+k>.<n>.1 on the machine's side, .2 on the namespace's), and `cut()` takes that
 * link down for real — TCP connections stall, nothing answers — until `heal()`.
 *
 * Inside, the namespace's own 127.0.0.1 carries forwarders to the machine's services (NATS,
 * Postgres, the gateway): a runner in it is configured exactly like one outside, and every byte
 * it exchanges crosses the link. The machine reaches the runner's port through a forwarder of
 * its own on 127.0.0.1.
 *
 * Needs root and iproute2 (`ip netns`); `available()` says whether this machine has them.
 * Names carry the test process's pid, so leftovers of a run that died are recognised and removed.
 */

const PREFIX = 'batonp';

export function netnsAvailable(): { ok: boolean; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: 'network namespaces need root' };
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return { ok: true, why: '' };
  } catch (e) {
    return { ok: false, why: `ip netns does not work here: ${(e as Error).message}` };
  }
}

const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const inNs = (ns: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8' });
const sysctl = (ns: string | null, key: string) => (ns ? inNs(ns, 'sysctl', '-qw', `${key}=1`) : execFileSync('sysctl', ['-qw', `${key}=1`]));

/** Namespaces (and their veths) left by test processes that no longer run. */
export function removeStaleNetns(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0];
    const m = new RegExp(`^${PREFIX}(\\d+)x\\d+$`).exec(name ?? '');
    if (!m) continue;
    let alive = true;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      alive = false;
    }
    if (!alive) removeNetns(name);
  }
}

function removeNetns(name: string): void {
  try {
    ip('netns', 'del', name);
  } catch {
    // gone
  }
  try {
    ip('link', 'del', `${name}h`.slice(0, 15));
  } catch {
    // went with the namespace
  }
}

export interface Forward {
  /** Port on the namespace's 127.0.0.1 that reaches the same port on the machine's 127.0.0.1. */
  port: number;
}

export class Netns {
  readonly hostAddr: string;
  readonly nsAddr: string;
  private readonly hostVeth: string;
  private forwarder: ChildProcess | null = null;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly name: string,
    subnet: string,
  ) {
    this.hostAddr = `${subnet}.1`;
    this.nsAddr = `${subnet}.2`;
    this.hostVeth = `${name}h`.slice(0, 15);
  }

  /** A namespace of its own, index `k` (0–63) of this test process. */
  static create(k: number): Netns {
    removeStaleNetns();
    const name = `${PREFIX}${process.pid}x${k}`;
    removeNetns(name);
    // 127.<200..249>.<k*4>.0/30: apart from other test processes on this machine, never on a real network.
    const subnet = `127.${200 + (process.pid % 50)}.${k * 4}`;
    const n = new Netns(name, subnet);
    const nsVeth = 'veth0';
    ip('netns', 'add', name);
    try {
      ip('link', 'add', n.hostVeth, 'type', 'veth', 'peer', 'name', `${n.hostVeth.slice(0, 13)}n`);
      ip('link', 'set', `${n.hostVeth.slice(0, 13)}n`, 'netns', name, 'name', nsVeth);
      // 127/8 is local on both sides (the lo route); these let it cross the veth.
      sysctl(null, `net.ipv4.conf.${n.hostVeth}.route_localnet`);
      for (const key of [`net.ipv4.conf.${nsVeth}.route_localnet`, 'net.ipv4.conf.all.route_localnet', 'net.ipv4.conf.lo.route_localnet']) sysctl(name, key);
      ip('addr', 'add', `${n.hostAddr}/30`, 'dev', n.hostVeth);
      ip('link', 'set', n.hostVeth, 'up');
      ip('route', 'add', 'table', 'local', `${subnet}.0/30`, 'dev', n.hostVeth);
      inNs(name, 'ip', 'addr', 'add', `${n.nsAddr}/30`, 'dev', nsVeth);
      inNs(name, 'ip', 'link', 'set', nsVeth, 'up');
      inNs(name, 'ip', 'link', 'set', 'lo', 'up');
      inNs(name, 'ip', 'route', 'add', 'table', 'local', `${subnet}.0/30`, 'dev', nsVeth);
    } catch (e) {
      removeNetns(name);
      throw e;
    }
    return n;
  }

  /** argv that runs `argv` in the namespace. */
  wrap(argv: string[]): string[] {
    return ['ip', 'netns', 'exec', this.name, ...argv];
  }

  /**
   * The machine's services on the namespace's 127.0.0.1 (same ports), through the link: a
   * forwarder on the machine's side (hostAddr:port → 127.0.0.1:port) and one inside
   * (127.0.0.1:port → hostAddr:port).
   */
  async forwardIn(ports: number[]): Promise<void> {
    for (const port of ports) this.servers.push(await this.listen(this.hostAddr, port, { host: '127.0.0.1', port }));
    const script = `
      const net = require('net');
      const [host, ...ports] = process.argv.slice(1);
      for (const port of ports.map(Number)) {
        net.createServer((a) => {
          const b = net.connect(port, host);
          a.pipe(b); b.pipe(a);
          a.on('error', () => b.destroy()); b.on('error', () => a.destroy());
        }).listen(port, '127.0.0.1', () => process.stdout.write('forwarding ' + port + '\\n'));
      }`;
    const child = spawn('ip', ['netns', 'exec', this.name, process.execPath, '-e', script, this.hostAddr, ...ports.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.forwarder = child;
    await new Promise<void>((resolve, reject) => {
      let seen = 0;
      child.stdout!.on('data', (d: Buffer) => {
        seen += (String(d).match(/forwarding/g) ?? []).length;
        if (seen >= ports.length) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the namespace's forwarder exited (${code})`)));
    });
  }

  /** A port of a program in the namespace (listening on its nsAddr) on the machine's 127.0.0.1. */
  async forwardOut(port: number): Promise<void> {
    this.servers.push(await this.listen('127.0.0.1', port, { host: this.nsAddr, port }));
  }

  /** The link goes down: nothing crosses until heal(). */
  cut(): void {
    ip('link', 'set', this.hostVeth, 'down');
  }

  heal(): void {
    ip('link', 'set', this.hostVeth, 'up');
    // Bringing the link up drops its routes: the one that lets 127/8 cross is put back.
    try {
      ip('route', 'add', 'table', 'local', `${this.hostAddr.replace(/\.1$/, '.0')}/30`, 'dev', this.hostVeth);
    } catch {
      // still there
    }
  }

  destroy(): void {
    this.forwarder?.kill('SIGKILL');
    for (const s of this.sockets) s.destroy();
    for (const s of this.servers) s.close();
    removeNetns(this.name);
  }

  private listen(host: string, port: number, target: { host: string; port: number }): Promise<Server> {
    const server = createServer((a) => {
      const b = createConnection(target.port, target.host);
      this.sockets.add(a).add(b);
      a.pipe(b);
      b.pipe(a);
      const done = () => {
        a.destroy();
        b.destroy();
        this.sockets.delete(a);
        this.sockets.delete(b);
      };
      a.on('error', done).on('close', done);
      b.on('error', done).on('close', done);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }
}
