import { createServer, type Server } from 'node:net';
import { NoFreePortError, PortAllocator, portIsFree } from './port-allocator';

describe(PortAllocator.name, () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('gives each session its own port, and the same one when asked again', async () => {
    const sut = new PortAllocator({ from: 21_000, to: 21_099 });
    const a = await sut.allocate('session-a');
    const b = await sut.allocate('session-b');
    expect(a).not.toBe(b);
    expect(await sut.allocate('session-a')).toBe(a);
    expect(sut.portOf('session-b')).toBe(b);
  });

  it('never hands out the same port twice at once, even to concurrent requests', async () => {
    const sut = new PortAllocator({ from: 21_100, to: 21_139 });
    const ports = await Promise.all(Array.from({ length: 30 }, (_, i) => sut.allocate(`s${i}`)));
    expect(new Set(ports).size).toBe(30);
    expect(ports.every((p) => p >= 21_100 && p <= 21_139)).toBe(true);
  });

  it('skips ports something on the machine already listens on', async () => {
    const busy = await listen(0);
    const sut = new PortAllocator({ from: busy, to: busy + 1 });
    expect(await portIsFree(busy)).toBe(false);
    const port = await sut.allocate('s');
    expect(port).not.toBe(busy);
  });

  it('hands a released port out again and says so when the range is used up', async () => {
    const sut = new PortAllocator({ from: 21_200, to: 21_201, isFree: async () => true });
    await sut.allocate('a');
    await sut.allocate('b');
    await expect(sut.allocate('c')).rejects.toBeInstanceOf(NoFreePortError);
    const freed = sut.portOf('a')!;
    sut.release('a');
    expect(await sut.allocate('c')).toBe(freed);
  });

  it('rejects an invalid range', () => {
    expect(() => new PortAllocator({ from: 30_000, to: 20_000 })).toThrow(/invalid port range/);
  });

  function listen(port: number): Promise<number> {
    return new Promise((resolve) => {
      const server = createServer().listen(port, '0.0.0.0', () => resolve((server.address() as { port: number }).port));
      servers.push(server);
    });
  }
});
