import type { Broker } from '@baton/event-store';
import { names } from '@baton/events';
import type { ServiceMetrics } from '@baton/service-kit';
import { countTerminalOutput, registerRunnerGauges } from './metrics';

/** Records what the runner registers and observes (the real registry loads Nest, which unit specs never do). */
function fakeMetrics() {
  const counters: Record<string, number> = {};
  const gauges: Record<string, () => number> = {};
  const metrics = {
    counter: ({ name }: { name: string }) => {
      counters[name] = 0;
      return { inc: (n = 1) => (counters[name] += n) };
    },
    gauge: ({ name, collect }: { name: string; collect: (g: { set(v: number): void }) => void }) => {
      gauges[name] = () => {
        let v = NaN;
        collect({ set: (x) => (v = x) });
        return v;
      };
    },
  } as unknown as ServiceMetrics;
  return { metrics, counters, gauges };
}

describe(countTerminalOutput.name, () => {
  it('counts bytes and chunks the terminal stream stored, not duplicates or other subjects, and passes everything else through', async () => {
    const published: string[] = [];
    let duplicate = false;
    const js = {
      publish: async (subject: string) => {
        published.push(subject);
        return { seq: published.length, duplicate, stream: 'T' };
      },
      other() {
        return this === js;
      },
    };
    const broker = { js, names: names('ns'), nc: { marker: 1 } } as unknown as Broker;
    const { metrics, counters } = fakeMetrics();
    const sut = countTerminalOutput(broker, metrics);

    await sut.js.publish('ns.term.s1.r1', new Uint8Array(10));
    await sut.js.publish('ns.term.s2.r1', 'héllo');
    await sut.js.publish('ns.evt.session.s1', new Uint8Array(99));
    duplicate = true;
    await sut.js.publish('ns.term.s1.r1', new Uint8Array(10));

    expect(published).toEqual(['ns.term.s1.r1', 'ns.term.s2.r1', 'ns.evt.session.s1', 'ns.term.s1.r1']);
    expect(counters).toEqual({ terminal_bytes_published_total: 16, terminal_chunks_published_total: 2 });
    expect((sut.js as unknown as typeof js).other()).toBe(true);
    expect(sut.nc).toBe(broker.nc);
    expect(sut.names.term('x', 'r1')).toBe('ns.term.x.r1');
  });
});

describe(registerRunnerGauges.name, () => {
  it('reads capacity, use and draining at scrape time', () => {
    const { metrics, gauges } = fakeMetrics();
    const host = { capacity: 4, size: 1, isDraining: false };
    registerRunnerGauges(metrics, host);
    host.size = 3;
    host.isDraining = true;
    expect(Object.fromEntries(Object.entries(gauges).map(([k, read]) => [k, read()]))).toEqual({ runner_capacity: 4, runner_sessions: 3, runner_draining: 1 });
  });
});
