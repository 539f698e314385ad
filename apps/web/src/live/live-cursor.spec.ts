import type { LiveEventMessage } from '@baton/contracts';
import { LiveCursor, RoomSet, SnapshotFeed } from './live-cursor';
import { backoffMs } from './live-client';

const msg = (seq: number, n = seq): LiveEventMessage => ({ seq, event: { type: 'project.renamed', data: { name: String(n) } } }) as unknown as LiveEventMessage;

describe(LiveCursor.name, () => {
  it('has no resume point before the first subscription answered', () => {
    const sut = new LiveCursor();
    expect(sut.resumeFrom).toBeUndefined();
    sut.caughtUp(40);
    expect(sut.resumeFrom).toBe(40);
  });

  it('accepts each sequence once and in order: duplicates and replays of old events are dropped', () => {
    const sut = new LiveCursor();
    sut.caughtUp(10);
    expect([11, 12, 12, 11, 13, 9].map((s) => sut.accept(s))).toEqual([true, true, false, false, true, false]);
    expect(sut.lastSeq).toBe(13);
  });

  it('resumes after the last event seen across a reconnect, even when an ack lags behind events', () => {
    const sut = new LiveCursor();
    sut.caughtUp(5);
    sut.accept(6);
    sut.accept(7);
    // The gateway answered a subscription at 6 after event 7 arrived: the cursor never goes back.
    sut.caughtUp(6);
    expect(sut.resumeFrom).toBe(7);
    // After a reconnect, the replay from 8 and the live events after it continue without a gap.
    expect([8, 9, 7].map((s) => sut.accept(s))).toEqual([true, true, false]);
  });

  it('ignores sequences that are not integers', () => {
    const sut = new LiveCursor();
    expect(sut.accept(Number.NaN)).toBe(false);
    expect(sut.accept(1.5)).toBe(false);
    expect(sut.lastSeq).toBe(0);
  });
});

describe(RoomSet.name, () => {
  it('subscribes a room for its first user and leaves it with its last', () => {
    const sut = new RoomSet();
    expect(sut.add(['project:a', 'project:a'])).toEqual(['project:a']);
    expect(sut.add(['project:a', 'runner:r'])).toEqual(['runner:r']);
    expect(sut.remove(['project:a'])).toEqual([]);
    expect(sut.remove(['project:a', 'runner:r'])).toEqual(['project:a', 'runner:r']);
    expect(sut.all).toEqual([]);
    expect(sut.remove(['project:zzz'])).toEqual([]);
  });
});

describe(SnapshotFeed.name, () => {
  const sum = (s: number[], m: LiveEventMessage) => [...s, m.seq];

  it('keeps events that arrive before the snapshot and applies only those after it', () => {
    const sut = new SnapshotFeed<number[]>(sum);
    expect(sut.event(msg(11))).toBe(false);
    expect(sut.event(msg(12))).toBe(false);
    sut.snapshot([0], 11); // read at minSeq 11: it already contains 11
    expect(sut.data).toEqual([0, 12]);
    expect(sut.event(msg(13))).toBe(true);
    expect(sut.data).toEqual([0, 12, 13]);
  });

  it('drops events already inside the snapshot', () => {
    const sut = new SnapshotFeed<number[]>(sum);
    sut.snapshot([], 20);
    expect(sut.event(msg(19))).toBe(false);
    expect(sut.data).toEqual([]);
  });

  it('on a resync keeps showing the old data and queues events until the new snapshot', () => {
    const sut = new SnapshotFeed<number[]>(sum);
    sut.snapshot([1], 1);
    sut.reset();
    sut.event(msg(5));
    expect(sut.data).toEqual([1]);
    sut.snapshot([1, 2, 3], 4);
    expect(sut.data).toEqual([1, 2, 3, 5]);
  });
});

describe(backoffMs.name, () => {
  it('doubles from half a second to ten seconds, with jitter of a quarter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 10].map((a) => backoffMs(a, mid))).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(backoffMs(1, () => 0)).toBe(375);
    expect(backoffMs(1, () => 1)).toBe(625);
  });
});
