import { parseQuotaReset } from './quota-reset';

const now = '2026-01-15T18:00:00.000Z'; // 13:00 in New York (EST, UTC-5)

describe(parseQuotaReset.name, () => {
  it.each([
    ['an ISO time', { reset: '2026-01-15T20:30:00Z' }, '2026-01-15T20:30:00.000Z'],
    ['epoch seconds', { reset: String(Date.parse('2026-01-15T19:00:00Z') / 1000) }, '2026-01-15T19:00:00.000Z'],
    ['epoch milliseconds', { reset: String(Date.parse('2026-01-15T19:00:00Z')) }, '2026-01-15T19:00:00.000Z'],
    ['a duration', { reset: 'in 2h 30m' }, '2026-01-15T20:30:00.000Z'],
    ['a long duration', { reset: '1 hour and 5 minutes' }, '2026-01-15T19:05:00.000Z'],
    ['duration groups', { hours: '1', minutes: '15' }, '2026-01-15T19:15:00.000Z'],
    ['a time of day (UTC by default)', { reset: '9pm' }, '2026-01-15T21:00:00.000Z'],
    ['a time of day already past today: tomorrow', { reset: '5am' }, '2026-01-16T05:00:00.000Z'],
    ['24-hour clock', { reset: '18:45' }, '2026-01-15T18:45:00.000Z'],
    ['a time of day in a named zone', { reset: '3pm', tz: 'America/New_York' }, '2026-01-15T20:00:00.000Z'],
    ['12am is midnight', { reset: '12am', tz: 'UTC' }, '2026-01-16T00:00:00.000Z'],
    ['an unknown zone falls back to UTC', { reset: '7pm', tz: 'Mars/Olympus' }, '2026-01-15T19:00:00.000Z'],
  ])('reads %s', (_name, groups, expected) => {
    expect(parseQuotaReset(groups, now)).toBe(expected);
  });

  it('follows daylight saving time in the zone', () => {
    expect(parseQuotaReset({ reset: '3pm', tz: 'America/New_York' }, '2026-07-15T12:00:00.000Z')).toBe('2026-07-15T19:00:00.000Z');
  });

  it.each([
    ['nothing', {}],
    ['gibberish', { reset: 'soonish' }],
    ['an impossible clock', { reset: '25:00' }],
    ['a time in the past', { reset: '2020-01-01T00:00:00Z' }],
    ['a unit it does not know', { reset: 'in 3 fortnights' }],
  ])('returns null for %s', (_name, groups) => {
    expect(parseQuotaReset(groups as Record<string, string>, now)).toBeNull();
  });
});
