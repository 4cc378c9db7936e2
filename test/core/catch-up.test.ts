import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsOf, NodeFixture, onlineIds, type TestNode, waitFor } from './node-fixture.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

describe('room catch-up and history', () => {
  it('a member offline during 50 room messages gets all 50 exactly once, in order, after the sender left', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    const c = await fx.start('carol');
    await waitFor('mesh', () => [a, b, c].every((t) => onlineIds(t).length === 2));
    const carol = { identity: c.identity, dbPath: c.dbPath, host: c.host };
    await fx.stop(c);
    await waitFor('carol gone', () => onlineIds(a).length === 1 && onlineIds(b).length === 1);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(a.node.sendRoom('#general', `missed ${i} 你好`));
    await waitFor('bob has them', () => eventsOf(b, 'message').length === 50);
    await fx.stop(a); // the original sender leaves
    const c2 = await fx.start('carol', carol);
    await waitFor('catch-up done', () => eventsOf(c2, 'catchup_done')[0], 10_000);
    const got = eventsOf(c2, 'message');
    expect(got.map((m) => m.id)).toEqual(ids);
    expect(got.every((m) => m.history === true && m.room === '#general' && m.from.id === a.node.id)).toBe(
      true,
    );
    // Shown once: a second catch-up round (another restart) brings nothing new.
    const again = { identity: c2.identity, dbPath: c2.dbPath, host: c2.host };
    await fx.stop(c2);
    const c3 = await fx.start('carol', again);
    await waitFor('second catch-up done', () => eventsOf(c3, 'catchup_done')[0], 10_000);
    expect(eventsOf(c3, 'message')).toHaveLength(0);
    // And everything is in the history, in order.
    expect(c3.node.history('#general', 100).map((m) => m.id)).toEqual(ids);
  });

  it('search finds a Chinese word inside a longer sentence', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    await waitFor('online', () => onlineIds(a).length === 1);
    const id = a.node.sendRoom('#general', '我们说：你好，世界！今天天气很好。');
    a.node.sendRoom('#general', 'unrelated english text');
    await waitFor('arrived', () => eventsOf(b, 'message').length === 2);
    const results = b.node.search('世界');
    expect(results.map((r) => r.id)).toEqual([id]);
    expect(results[0]!.from.nick).toBe('alice');
  });

  it('a newcomer meeting a whole floor at once asks at most 3 members per room, and shows each message once', async () => {
    const floor: TestNode[] = [];
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) floor.push(await fx.start(name));
    await waitFor('mesh', () => floor.every((t) => onlineIds(t).length === floor.length - 1));
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(floor[0]!.node.sendRoom('#general', `before you came ${i}`));
    await waitFor('everyone has them', () =>
      floor.every((t, i) => i === 0 || eventsOf(t, 'message').length === 10),
    );
    const newcomer = await fx.start('gina');
    await waitFor('gina meets everyone', () => onlineIds(newcomer).length === floor.length);
    await waitFor('catch-up answered', () => eventsOf(newcomer, 'catchup_done').length >= 1, 10_000);
    await waitFor('history shown', () => eventsOf(newcomer, 'message').length === 10, 10_000);
    // Asked at most 3 (answers still coming in when the other links came up count too).
    expect(eventsOf(newcomer, 'catchup_done').length).toBeLessThanOrEqual(3);
    expect(eventsOf(newcomer, 'message').map((m) => m.id)).toEqual(ids);
  });
});
