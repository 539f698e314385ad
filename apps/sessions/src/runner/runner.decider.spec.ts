import { RunnerCapacityChanged, RunnerDeregistered, RunnerDrainChanged, RunnerRegistered, runnerCommands, type RunnerEvent } from '@baton/events';
import { command, deciderSpec, recorded } from '@baton/testing';
import type { z } from 'zod';
import { runnerDecider, type RunnerCommand } from './runner.decider';

const R = { type: 'runner' as const, id: 'r1' };
const defs = new Map(runnerCommands.map((c) => [c.type as string, c]));
const cmd = (type: RunnerCommand['type'], data: Record<string, unknown> = {}) => command(type, (defs.get(type)!.schema as z.ZodType).parse({ runnerId: 'r1', ...data })) as RunnerCommand;
const register = (o: Record<string, unknown> = {}) => cmd('runner.register', { hostname: 'box-1', capacity: 4, labels: { os: 'linux' }, version: '0.1.0', ...o });
const registered = recorded(R, RunnerRegistered({ hostname: 'box-1', capacity: 4, labels: { os: 'linux' }, version: '0.1.0' })) as RunnerEvent;

describe('runnerDecider', () => {
  const sut = deciderSpec(runnerDecider);

  it('registers a runner, and again only when something changed', () => {
    sut.given([]).when(register()).then([RunnerRegistered({ hostname: 'box-1', capacity: 4, labels: { os: 'linux' }, version: '0.1.0' })]);
    sut.given([registered]).when(register()).then([]);
    sut.given([registered]).when(register({ labels: { os: 'linux', gpu: 'a100' } })).then([RunnerRegistered({ hostname: 'box-1', capacity: 4, labels: { os: 'linux', gpu: 'a100' }, version: '0.1.0' })]);
  });

  it('changes capacity and draining on an operator’s word, idempotently', () => {
    sut.given([registered]).when(cmd('runner.set_capacity', { capacity: 2 })).then([RunnerCapacityChanged({ capacity: 2, previous: 4 })]);
    sut.given([registered]).when(cmd('runner.set_capacity', { capacity: 4 })).then([]);
    sut.given([registered]).when(cmd('runner.drain', { reason: 'kernel update' })).then([RunnerDrainChanged({ draining: true, reason: 'kernel update' })]);
    sut.given([registered, recorded(R, RunnerDrainChanged({ draining: true, reason: '' })) as RunnerEvent]).when(cmd('runner.drain')).then([]);
  });

  it('deregisters once; a deregistered runner registering comes back', () => {
    const gone = [registered, recorded(R, RunnerDeregistered({ reason: 'decommissioned' })) as RunnerEvent];
    sut.given([registered]).when(cmd('runner.deregister', { reason: 'decommissioned' })).then([RunnerDeregistered({ reason: 'decommissioned' })]);
    sut.given(gone).when(cmd('runner.deregister')).then([]);
    expect(sut.given(gone).when(register()).thenEvents()).toHaveLength(1);
  });

  it('refuses commands on a runner never registered', () => {
    sut.given([]).when(cmd('runner.drain')).thenThrows('not_found');
  });
});
