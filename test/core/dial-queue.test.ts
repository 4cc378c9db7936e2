// The dial queue: a few dials at a time, the ones that never failed first, one per address.
import { describe, expect, it } from 'vitest';
import { DialQueue } from '../../src/core/dial-queue.js';

/** A runner whose dials finish only when the test says so. */
function controlled() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const run = (id: string) =>
    new Promise<void>((resolve) => {
      started.push(id);
      finish.set(id, resolve);
    });
  const done = async (id: string) => {
    finish.get(id)?.();
    await new Promise((r) => setImmediate(r));
  };
  return { started, run, done };
}

const req = (id: string, extra: Partial<{ address: string; attempts: number; priority: number }> = {}) => ({
  id,
  address: extra.address ?? `10.0.0.${id}`,
  attempts: extra.attempts ?? 0,
  priority: extra.priority ?? 0,
});

describe('DialQueue', () => {
  it('runs at most `limit` dials at once and starts the next when one finishes', async () => {
    const c = controlled();
    const queue = new DialQueue(c.run, 2);
    for (const id of ['1', '2', '3', '4']) queue.request(req(id));
    expect(c.started).toEqual(['1', '2']);
    expect(queue.inFlight).toBe(2);
    expect(queue.queued).toBe(2);
    await c.done('1');
    expect(c.started).toEqual(['1', '2', '3']);
    await c.done('2');
    await c.done('3');
    await c.done('4');
    expect(c.started).toEqual(['1', '2', '3', '4']);
    expect(queue.inFlight).toBe(0);
  });

  it('serves peers that never failed before peers that did, then by priority, then in order', async () => {
    const c = controlled();
    const queue = new DialQueue(c.run, 1);
    queue.request(req('blocker'));
    queue.request(req('failed-twice', { attempts: 2 }));
    queue.request(req('not-ours', { priority: 1 }));
    queue.request(req('ours-a'));
    queue.request(req('ours-b'));
    for (const id of ['blocker', 'ours-a', 'ours-b', 'not-ours']) await c.done(id);
    expect(c.started).toEqual(['blocker', 'ours-a', 'ours-b', 'not-ours', 'failed-twice']);
  });

  it('keeps one dial per remote address in flight, however many identities it advertises', async () => {
    const c = controlled();
    const queue = new DialQueue(c.run, 8);
    for (let i = 0; i < 20; i++) queue.request(req(`fake${i}`, { address: '10.0.0.66' }));
    queue.request(req('honest', { address: '10.0.0.7' }));
    expect(c.started).toEqual(['fake0', 'honest']);
    await c.done('fake0');
    expect(c.started).toEqual(['fake0', 'honest', 'fake1']);
  });

  it('does not queue an id twice, and forgets a cancelled one', async () => {
    const c = controlled();
    const queue = new DialQueue(c.run, 1);
    queue.request(req('a'));
    queue.request(req('a'));
    queue.request(req('b'));
    queue.request(req('b', { priority: 1 }));
    queue.request(req('c'));
    expect(queue.has('b')).toBe(true);
    queue.cancel('c');
    expect(queue.has('c')).toBe(false);
    await c.done('a');
    await c.done('b');
    expect(c.started).toEqual(['a', 'b']);
  });

  it('goes on after a dial that throws', async () => {
    const started: string[] = [];
    const queue = new DialQueue(async (id) => {
      started.push(id);
      throw new Error('boom');
    }, 1);
    queue.request(req('a'));
    queue.request(req('b'));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a', 'b']);
  });
});
