// Trust and catch-up on real hosts, driven through the headless JSON interface: an impostor on
// another LAN segment claims a pinned nick and is refused; a member that was away gets the room
// messages it missed from another member after the author has left.
import { afterEach, describe, expect, it } from 'vitest';
import { createNetwork, type Network, netnsAvailable } from './harness.js';
import { eventsOfType, HeadlessFleet, type HeadlessNode, meet, onlinePeers } from './headless-node.js';

const netns = netnsAvailable();
if (!netns.ok) console.warn(`skipping trust and catch-up netns tests: ${netns.reason}`);

const fleet = new HeadlessFleet();
let network: Network | undefined;

function start(net: Network, host: string, nick: string, profile?: string): HeadlessNode {
  return fleet.start(net, host, profile ? { nick, profile } : { nick });
}

afterEach(async () => {
  await fleet.stopAll();
  await network?.destroy();
  network = undefined;
});

describe.skipIf(!netns.ok)('trust and catch-up between namespace hosts', () => {
  it('refuses an impostor claiming a pinned nick, warns, and the real alice keeps working', async () => {
    // h1 is on both segments; h2 (b0) and h3 (b1) never hear each other, so mDNS probing cannot
    // make the impostor rename: it keeps claiming "alice" towards olga.
    network = await createNetwork({ hosts: 3, multihomed: true });
    const olga = start(network, 'h1', 'olga');
    const alice = start(network, 'h2', 'alice');
    const aliceId = await alice.id();
    await olga.process.waitFor(() => onlinePeers(olga).has(aliceId), 15_000, { what: 'olga pins alice' });
    const impostor = start(network, 'h3', 'alice');
    const impostorId = await impostor.id();
    const warning = await olga.process.waitFor(
      (e) => e.type === 'warning' && e.code === 'impersonation',
      15_000,
    );
    expect(String(warning.message)).toContain('alice');
    expect(onlinePeers(olga).has(impostorId)).toBe(false);
    // Once olga also knows the impostor from mDNS, it is listed, but unnamed: its claim to "alice"
    // is only an mDNS advertisement (never authenticated), marked as such, and a bare nick still
    // means the pinned identity.
    const peers = () =>
      olga.process.events.filter((e) => e.type === 'peers').at(-1)?.peers as
        | { nick: string; id: string; display: string; advertisedNick?: string }[]
        | undefined;
    const deadline = Date.now() + 15_000;
    while (!peers()?.some((p) => p.id === impostorId) && Date.now() < deadline) {
      olga.process.send('/peers');
      await new Promise((r) => setTimeout(r, 300)); // re-ask until discovery has the impostor
    }
    const heard = peers()!.find((p) => p.id === impostorId)!;
    expect(heard.nick).not.toBe('alice');
    expect(heard.advertisedNick).toBe('alice');
    expect(heard.display).not.toBe('alice');
    expect(
      peers()!
        .filter((p) => p.nick === 'alice')
        .map((p) => p.id),
    ).toEqual([aliceId]);
    olga.process.send('/msg alice are you the real one?');
    await alice.process.waitFor((e) => e.type === 'message' && e.text === 'are you the real one?', 10_000);
    expect(eventsOfType(impostor, 'message')).toHaveLength(0);
  }, 60_000);

  it('a member away during 50 room messages gets all of them once, in order, after the author left', async () => {
    network = await createNetwork({ hosts: 3 });
    const a = start(network, 'h1', 'alice');
    const b = start(network, 'h2', 'bob');
    let c = start(network, 'h3', 'carol');
    await meet([a, b, c], 15_000);
    c.process.send('/quit');
    await c.process.exited;
    const texts = Array.from({ length: 50 }, (_, i) => `while carol was away ${i} 🌙`);
    a.process.send(texts.join('\n'));
    await b.process.waitFor(() => eventsOfType(b, 'message').length === 50, 20_000, {
      what: 'bob has all 50',
    });
    a.process.send('/quit');
    await a.process.exited;
    c = start(network, 'h3', 'carol', c.profile);
    await c.process.waitFor((e) => e.type === 'catchup_done', 20_000);
    const got = eventsOfType(c, 'message');
    expect(got.map((m) => m.text)).toEqual(texts);
    expect(got.every((m) => m.history === true && m.room === '#general')).toBe(true);
  }, 90_000);
});
