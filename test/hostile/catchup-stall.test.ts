// Members that take a catch-up request and never answer it must not keep a newcomer from the
// room's history: a newcomer asks at most 3 members per room, so three such peers linking first
// used to hold every place for as long as their links lived.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsOf, NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';
import { HostilePeer, startVictim } from './hostile-peer.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

describe('catch-up requests that are never answered', () => {
  it('are given up, and the history comes from an honest member that linked later', async () => {
    // alice's history of #general, written while gina was not there.
    const alice = await fx.start('alice');
    const bob = await fx.start('bob');
    await waitFor('alice and bob', () => onlineIds(alice).length === 1);
    const ids = [0, 1, 2, 3, 4].map((i) => alice.node.sendRoom('#general', `before gina ${i}`));
    await waitFor('bob has them', () => eventsOf(bob, 'message').length === 5);
    const aliceAgain = { identity: alice.identity, dbPath: alice.dbPath, host: alice.host };
    await fx.stop(alice);
    await fx.stop(bob);

    const gina = await startVictim(fx, 'gina', {
      init: { catchup: { maxAgeMs: 3600_000, maxPerRoom: 1_000, stallMs: 500 } },
    });
    const silent = [];
    for (const nick of ['quiet1', 'quiet2', 'quiet3']) {
      const evil = await HostilePeer.connect(fx, gina, { nick, hello: { rooms: ['#general'] } });
      await evil.waitFor('asked for history', (m) => m.t === 'catchup_req');
      silent.push(evil); // and never answers
    }
    await fx.start('alice', aliceAgain);
    await waitFor('history from alice', () => eventsOf(gina, 'message').length === 5, 10_000);
    expect(eventsOf(gina, 'message').map((m) => m.id)).toEqual(ids);
    expect(silent.every((e) => !e.closed)).toBe(true);
  });
});
