// A connection that crosses our own dial waits for it: dropped if our link came up, let through if
// our dial failed or took too long (crossed-dials.ts).
import { describe, expect, it } from 'vitest';
import { CROSSING_HOLD_MS, CrossedDials } from '../../src/core/crossed-dials.js';
import { FakeClock } from './fake-clock.js';

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('CrossedDials', () => {
  it('knows a dial only while it is in flight', async () => {
    const crossed = new CrossedDials(new FakeClock());
    const dial = deferred();
    const tracked = crossed.track('bob', dial.promise);
    expect(crossed.dialing('bob')).toBe(true);
    expect(crossed.dialing('carol')).toBe(false);
    expect(crossed.hold('carol', () => true)).toBeUndefined();
    dial.reject(new Error('refused'));
    await expect(tracked).rejects.toThrow('refused'); // the caller still sees its own outcome
    await settle();
    expect(crossed.dialing('bob')).toBe(false);
  });

  it('drops the crossing connection once our dial brought the link up', async () => {
    const crossed = new CrossedDials(new FakeClock());
    const dial = deferred();
    void crossed.track('bob', dial.promise);
    let linked = false;
    const verdicts: boolean[] = [];
    void crossed.hold('bob', () => linked)?.then((v) => verdicts.push(v));
    await settle();
    expect(verdicts).toEqual([]); // held while our dial is in flight
    linked = true;
    dial.resolve();
    await settle();
    expect(verdicts).toEqual([false]);
  });

  it('lets it through when our dial failed', async () => {
    const crossed = new CrossedDials(new FakeClock());
    const dial = deferred();
    void crossed.track('bob', dial.promise).catch(() => {});
    const verdicts: boolean[] = [];
    void crossed.hold('bob', () => false)?.then((v) => verdicts.push(v));
    dial.reject(new Error('timeout'));
    await settle();
    expect(verdicts).toEqual([true]);
  });

  it('lets it through after CROSSING_HOLD_MS if our dial is still out', async () => {
    const clock = new FakeClock();
    const crossed = new CrossedDials(clock);
    void crossed.track('bob', new Promise(() => {}));
    const verdicts: boolean[] = [];
    void crossed.hold('bob', () => true)?.then((v) => verdicts.push(v));
    clock.advance(CROSSING_HOLD_MS - 1);
    await settle();
    expect(verdicts).toEqual([]);
    clock.advance(1);
    await settle();
    expect(verdicts).toEqual([true]);
  });

  it('a newer dial to the same peer is not forgotten when an older one settles', async () => {
    const crossed = new CrossedDials(new FakeClock());
    const first = deferred();
    void crossed.track('bob', first.promise).catch(() => {});
    void crossed.track('bob', new Promise(() => {}));
    first.reject(new Error('gone'));
    await settle();
    expect(crossed.dialing('bob')).toBe(true);
  });
});
