import type { CommandEnvelope, Decider, EventEnvelope, NewEvent } from '@baton/events';
import { isDomainError } from '@baton/events';

/**
 * given(events).when(command).then(events) | .thenThrows(code) — decider tests
 * with no infrastructure, reading like the rule they check.
 */
export function deciderSpec<S, C extends CommandEnvelope, E extends EventEnvelope>(decider: Decider<S, C, E>) {
  return {
    given(history: E[]) {
      const state = history.reduce((s, e) => decider.evolve(s, e), decider.initialState());
      return {
        state,
        when(command: C) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: NewEvent[]) {
              expect(run()).toEqual(expected);
            },
            thenEvents(): NewEvent[] {
              return run();
            },
            thenThrows(code: string, messagePart?: string | RegExp) {
              let thrown: unknown;
              try {
                run();
              } catch (e) {
                thrown = e;
              }
              expect(isDomainError(thrown) ? thrown.code : thrown).toBe(code);
              if (messagePart && isDomainError(thrown)) expect(thrown.message).toMatch(messagePart);
            },
          };
        },
      };
    },
  };
}

let seq = 0;
/** Test envelope for a decided event, stamped like the runtime would. */
export function recorded<T extends string, D>(aggregate: EventEnvelope['aggregate'], e: NewEvent<T, D>, at = '2026-01-01T00:00:00.000Z'): EventEnvelope<T, D> {
  seq++;
  return {
    id: `evt_${seq}`,
    type: e.type,
    version: 1,
    aggregate,
    occurredAt: at,
    actor: { kind: 'user', id: 'tester' },
    correlationId: `c_${seq}`,
    causationId: `cmd_${seq}`,
    data: e.data,
  };
}

export function command<T extends string, D>(type: T, data: D, opts: Partial<CommandEnvelope> = {}): CommandEnvelope<D> & { type: T } {
  seq++;
  return {
    id: `cmd_${seq}`,
    actor: { kind: 'user', id: 'tester' },
    correlationId: `c_${seq}`,
    issuedAt: '2026-01-01T00:00:00.000Z',
    ...opts,
    type,
    data,
  };
}
