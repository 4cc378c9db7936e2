// The chat node on real hosts: real mDNS between namespaces, real TCP, real SIGKILLs and pulled
// cables, driven through the headless JSON interface exactly as a script would drive it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, type Network, netnsAvailable } from './harness.js';
import { eventsOfType, HeadlessFleet, type HeadlessNode, meet as meetAll } from './headless-node.js';

const netns = netnsAvailable();
if (!netns.ok) console.warn(`skipping lanchat messaging netns tests: ${netns.reason}`);

const MEET_MS = 15_000;
let network: Network;
const fleet = new HeadlessFleet();

function start(host: string, nick: string, profile?: string): HeadlessNode {
  return fleet.start(network, host, profile ? { nick, profile } : { nick });
}

const meet = (nodes: HeadlessNode[]) => meetAll(nodes, MEET_MS);

const stopAll = () => fleet.stopAll();

describe.skipIf(!netns.ok)('headless chat between namespace hosts', () => {
  beforeAll(async () => {
    network = await createNetwork({ hosts: 3 });
  }, 60_000);
  afterEach(stopAll);
  afterAll(async () => {
    await stopAll();
    await network?.destroy();
  });

  it('three hosts discover each other and chat in #general and by DM, Chinese and emoji intact', async () => {
    const [a, b, c] = [start('h1', 'alice'), start('h2', 'bob'), start('h3', 'carol')] as [
      HeadlessNode,
      HeadlessNode,
      HeadlessNode,
    ];
    const [, bobId] = await meet([a, b, c]);
    const roomText = '你好，世界 👋🏽 — 大家好';
    a.process.send(roomText);
    for (const n of [b, c]) {
      const m = await n.process.waitFor((e) => e.type === 'message' && e.text === roomText, 10_000);
      expect(m).toMatchObject({ room: '#general', from: { nick: 'alice' } });
    }
    const dmText = '私信 🔒 just for you';
    a.process.send(`/msg bob ${dmText}`);
    const dm = await b.process.waitFor((e) => e.type === 'message' && e.text === dmText, 10_000);
    expect(dm.room).toBeUndefined();
    expect(dm).toMatchObject({ from: { nick: 'alice' }, to: { id: bobId } });
    await a.process.waitFor((e) => e.type === 'delivered' && e.id === dm.id, 10_000);
    expect(eventsOfType(c, 'message').filter((m) => m.text === dmText)).toHaveLength(0);
    a.process.send('/peers');
    const peers = await a.process.waitFor((e) => e.type === 'peers', 5_000);
    expect((peers.peers as { nick: string; online: boolean }[]).map((p) => p.nick).sort()).toEqual([
      'bob',
      'carol',
    ]);
    a.process.send('/frobnicate');
    const err = await a.process.waitFor((e) => e.type === 'error', 5_000);
    expect(err.code).toBe('bad-command');
  }, 60_000);

  it('a receiver killed with SIGKILL in the middle of 1,000 DMs gets all of them, in order, each id stored once', async () => {
    const a = start('h1', 'alice');
    let b = start('h2', 'bob');
    await meet([a, b]);
    const lines = Array.from({ length: 1000 }, (_, i) => `/msg bob dm ${i}`);
    a.process.send(lines.join('\n'));
    await b.process.waitFor((e) => e.type === 'message' && e.text === 'dm 100', 20_000);
    b.process.kill('SIGKILL');
    await b.process.exited;
    const firstRun = eventsOfType(b, 'message').map((m) => String(m.text));
    b = start('h2', 'bob', b.profile);
    const distinct = () =>
      new Set([...firstRun, ...eventsOfType(b, 'message').map((m) => String(m.text))]).size;
    await b.process.waitFor(() => distinct() >= 1000, 60_000, {
      what: 'the rest of the 1,000 DMs after the restart',
    });
    const all = [...firstRun, ...eventsOfType(b, 'message').map((m) => String(m.text))];
    // Nothing lost, nothing out of order. A message whose line was being written when the kill
    // came is shown again after the restart, with the same id: at most one display chunk (16).
    expect([...new Set(all)]).toEqual(Array.from({ length: 1000 }, (_, i) => `dm ${i}`));
    expect(all.length - 1000).toBeLessThanOrEqual(16);
    for (let i = 1; i < all.length; i++) {
      const [prev, next] = [Number(all[i - 1]!.slice(3)), Number(all[i]!.slice(3))];
      if (next <= prev) expect(i).toBe(firstRun.length); // only the restart may step back
    }
    await a.process.waitFor(() => eventsOfType(a, 'delivered').length === 1000, 30_000, {
      what: 'all acked',
    });
  }, 120_000);

  it('a host whose cable is pulled for 20 s reconnects within 5 s of its return and its outbox drains', async () => {
    const a = start('h1', 'alice');
    const b = start('h2', 'bob');
    const [, bobId] = await meet([a, b]);
    const cutAt = Date.now();
    await network.cut('h2');
    await a.process.waitFor((e) => e.type === 'peer_offline', 20_000, { what: 'bob marked offline' });
    a.process.send('/msg bob sent while your cable was out');
    const sent = await a.process.waitFor((e) => e.type === 'sent' && e.queued === true, 5_000);
    // The scenario is a 20 s outage: keep the cable out until then (this is not a wait for a result).
    await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - cutAt))));
    const restoredAt = Date.now();
    await network.restore('h2');
    await a.process.waitFor(
      (e) => e.type === 'peer_online' && (e.peer as { id: string }).id === bobId,
      10_000,
      { what: 'bob back online', fromIndex: a.process.events.indexOf(sent) },
    );
    expect(Date.now() - restoredAt).toBeLessThan(5_000);
    await b.process.waitFor((e) => e.type === 'message' && e.text === 'sent while your cable was out', 5_000);
    await a.process.waitFor((e) => e.type === 'delivered' && e.id === sent.id, 5_000);
  }, 90_000);

  it('a sender killed with undelivered messages delivers them after its restart', async () => {
    let a = start('h1', 'alice');
    const b = start('h2', 'bob');
    await meet([a, b]);
    b.process.kill('SIGKILL');
    await b.process.exited;
    a.process.send('/msg bob first while you were gone');
    a.process.send('/msg bob second while you were gone');
    await a.process.waitFor(() => eventsOfType(a, 'sent').length === 2, 5_000);
    a.process.kill('SIGKILL');
    await a.process.exited;
    const b2 = start('h2', 'bob', b.profile);
    a = start('h1', 'alice', a.profile);
    await b2.process.waitFor(() => eventsOfType(b2, 'message').length === 2, 30_000, {
      what: 'both queued DMs',
    });
    expect(eventsOfType(b2, 'message').map((m) => m.text)).toEqual([
      'first while you were gone',
      'second while you were gone',
    ]);
  }, 90_000);
});
