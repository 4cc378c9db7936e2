// Two "subnets" in one process: two discovery buses that never hear each other, one memory network
// that carries unicast between them (like a router that forwards IP but not multicast). One invite
// code used on B must bring every node of A to every node of B; remembered peers must bring them
// back after a restart with no code.
import { afterEach, describe, expect, it } from 'vitest';
import { parsePeerArgument } from '../../src/cli/common-options.js';
import { PEX_BATCH_MS } from '../../src/core/pex-sender.js';
import { REMEMBERED_ATTEMPTS } from '../../src/core/remembered-peers.js';
import { MemoryDiscovery, MemoryDiscoveryBus } from '../../src/discovery/memory-discovery.js';
import { StaticPeers } from '../../src/discovery/static-peers.js';
import { encodeInvite } from '../../src/protocol/invite-code.js';
import { TransportError } from '../../src/transport/transport.js';
import {
  FAST_BACKOFF,
  inviteOf,
  isolated,
  linkedThenStopped,
  logDials,
  NodeFixture,
  onlineIds,
  type TestNode,
  waitFor,
} from './node-fixture.js';

let fx: NodeFixture;
afterEach(async () => {
  await fx.destroy();
});

async function subnet(
  bus: MemoryDiscoveryBus,
  names: string[],
  base: number,
  init: { peerExchange?: boolean } = {},
): Promise<TestNode[]> {
  const nodes: TestNode[] = [];
  for (const [i, name] of names.entries()) {
    const host = `10.0.${base}.${i + 1}`;
    nodes.push(await fx.start(name, { host, discovery: new MemoryDiscovery(bus, { address: host }), init }));
  }
  return nodes;
}

const allIds = (nodes: TestNode[]) => nodes.map((n) => n.node.id);
const seesAll = (t: TestNode, nodes: TestNode[]) =>
  allIds(nodes.filter((n) => n !== t)).every((id) => onlineIds(t).includes(id));

describe('peers on other subnets', () => {
  it('one invite used on B brings all of A to all of B; a restart finds them again with no code', async () => {
    fx = new NodeFixture();
    const [busA, busB] = [new MemoryDiscoveryBus(), new MemoryDiscoveryBus()];
    const a = await subnet(busA, ['a1', 'a2', 'a3'], 1);
    const b = await subnet(busB, ['b1', 'b2', 'b3'], 2);
    for (const n of a) await waitFor(`${n.name} sees its subnet`, () => seesAll(n, a));
    for (const n of b) await waitFor(`${n.name} sees its subnet`, () => seesAll(n, b));
    for (const n of a) expect(onlineIds(n).some((id) => allIds(b).includes(id))).toBe(false);

    const result = b[0]!.node.connectPeer(inviteOf(a[0]!));
    expect(result).toMatchObject({ id: a[0]!.node.id, addresses: [a[0]!.host] });
    const everyone = [...a, ...b];
    for (const n of everyone) await waitFor(`${n.name} sees everyone`, () => seesAll(n, everyone));
    // Remembered where it worked, with the listening port (also for peers that dialled us).
    for (const n of everyone) {
      const remembered = n.node.rememberedPeers();
      expect(remembered.map((r) => r.id).sort()).toEqual(allIds(everyone.filter((o) => o !== n)).sort());
      for (const r of remembered) expect(r.port).toBe(7475);
    }

    // Restart everybody with the same profiles and keys, on buses that know nobody: only the
    // remembered addresses can bring them together.
    const again: TestNode[] = [];
    const specs = everyone.map((n) => ({
      name: n.name,
      host: n.host,
      identity: n.identity,
      dbPath: n.dbPath,
    }));
    for (const n of everyone) await fx.stop(n);
    for (const s of specs) {
      again.push(
        await fx.start(s.name, {
          ...s,
          discovery: new MemoryDiscovery(new MemoryDiscoveryBus(), { address: s.host }),
        }),
      );
    }
    for (const n of again) await waitFor(`${n.name} finds everyone again`, () => seesAll(n, again));
  });

  it('with --no-peer-exchange a node neither tells nor listens, and is not advertised', async () => {
    fx = new NodeFixture();
    const [busA, busB] = [new MemoryDiscoveryBus(), new MemoryDiscoveryBus()];
    const a = await subnet(busA, ['a1', 'a2'], 1, { peerExchange: false });
    const b = await subnet(busB, ['b1', 'b2'], 2);
    for (const n of [...a, ...b])
      await waitFor(`${n.name} sees its subnet`, () => seesAll(n, n.name.startsWith('a') ? a : b));
    b[0]!.node.connectPeer(inviteOf(a[0]!));
    await waitFor('b1 and a1 linked', () => onlineIds(a[0]!).includes(b[0]!.node.id));
    // b1 does speak peer exchange, but a1 does not: b1 must not advertise a1 to b2 (a1 opted out),
    // and a1 tells a2 nothing. Wait for a round trip on a link that carries an exchange (b1 → b2 for
    // a peer that did opt in would come first), then check nobody learned across.
    await waitFor('a1 → b1 link in both directions', () => onlineIds(b[0]!).includes(a[0]!.node.id));
    const b2Learned = () => b[1]!.node.peerList().some((p) => p.id === a[0]!.node.id);
    const a2Learned = () => a[1]!.node.peerList().some((p) => p.id === b[0]!.node.id);
    // A ping round trip on each link orders it after anything sent at adoption.
    b[0]!.node.sendDirect('b2', 'sync');
    await waitFor('b2 got the sync DM', () => b[1]!.events.some((e) => e.type === 'message'));
    a[0]!.node.sendDirect('a2', 'sync');
    await waitFor('a2 got the sync DM', () => a[1]!.events.some((e) => e.type === 'message'));
    // And a few of the sender's batch windows, so that a list that was going to be sent has been.
    await new Promise((resolve) => setTimeout(resolve, PEX_BATCH_MS * 3));
    expect(b2Learned()).toBe(false);
    expect(a2Learned()).toBe(false);
  });

  it('/connect refuses bad codes with clear errors and dials nothing', async () => {
    fx = new NodeFixture();
    const dials: string[] = [];
    const n = await fx.start('n', { transport: logDials(dials) });
    const other = await fx.start('o', {
      discovery: new MemoryDiscovery(new MemoryDiscoveryBus(), { address: '10.0.9.9' }),
      host: '10.0.9.9',
    });
    const code = inviteOf(other);
    const before = dials.length;
    expect(() => n.node.connectPeer(code.slice(0, 30))).toThrow(/truncated|checksum/);
    expect(() => n.node.connectPeer(`${code.slice(0, -1)}${code.endsWith('a') ? 'b' : 'a'}`)).toThrow(
      /checksum/,
    );
    expect(() => n.node.connectPeer('x'.repeat(100_000))).toThrow(/at most/);
    expect(() => n.node.connectPeer(inviteOf(n))).toThrow(/your own/);
    const foreign = encodeInvite({
      publicKey: other.identity.publicKey,
      networkCheck: 'deadbeef',
      port: 7475,
      addresses: ['10.0.9.9'],
    });
    expect(() => n.node.connectPeer(foreign)).toThrow(/another lanchat network/);
    expect(() => n.node.connectPeer(`${other.node.id}@224.0.0.251`)).toThrow(/multicast/);
    expect(() => n.node.connectPeer(`${other.node.id}@not-an-ip`)).toThrow(/KEY@IP/);
    expect(dials.length).toBe(before);
    n.node.connectPeer(`${other.node.id}@10.0.9.9:7475`);
    await waitFor('connected by KEY@IP', () => onlineIds(n).includes(other.node.id));
  });

  it('/forget drops the remembered addresses: a restart does not dial it', async () => {
    fx = new NodeFixture();
    const dials: string[] = [];
    const a = await fx.start('alice', {
      discovery: new MemoryDiscovery(new MemoryDiscoveryBus(), { address: '10.0.5.1' }),
      host: '10.0.5.1',
    });
    const b = await fx.start('bob', {
      discovery: new MemoryDiscovery(new MemoryDiscoveryBus(), { address: '10.0.5.2' }),
      host: '10.0.5.2',
    });
    a.node.connectPeer(inviteOf(b));
    await waitFor('linked', () => onlineIds(a).includes(b.node.id));
    expect(a.node.rememberedPeers().map((r) => r.nick)).toEqual(['bob']);
    a.node.forget('bob');
    expect(a.node.rememberedPeers()).toEqual([]);
    const spec = { identity: a.identity, dbPath: a.dbPath, host: a.host };
    await fx.stop(a);
    const again = await fx.start('alice', {
      ...spec,
      transport: logDials(dials),
      discovery: new MemoryDiscovery(new MemoryDiscoveryBus(), { address: spec.host }),
    });
    expect(again.node.rememberedPeers()).toEqual([]);
    expect(dials).toEqual([]);
  });
});

describe('remembered peers that stay away', () => {
  it('are dialled a bounded number of times, and the last error is kept', async () => {
    fx = new NodeFixture();
    const { spec, b } = await linkedThenStopped(fx); // bob is gone for good
    const dials: string[] = [];
    const again = await fx.start('alice', {
      ...spec,
      discovery: isolated(spec.host),
      transport: logDials(dials),
    });
    const bob = () => again.node.peerList().find((p) => p.id === b.node.id);
    await waitFor('alice gives up on bob for this run', () => dials.length > 0 && bob()?.address === '');
    expect(dials.length).toBe(REMEMBERED_ATTEMPTS);
    expect(new Set(dials)).toEqual(new Set(['10.0.6.2']));
    const [remembered] = again.node.rememberedPeers();
    expect(remembered).toMatchObject({ id: b.node.id, nick: 'bob', online: false, addresses: ['10.0.6.2'] });
    expect(remembered?.lastError).toMatch(/10\.0\.6\.2/);
  });
});

describe('remembered peers that are not up yet', () => {
  it('wait on the slow schedule, and are dialled at once when they announce themselves', async () => {
    fx = new NodeFixture();
    const { spec, b } = await linkedThenStopped(fx);
    // The next morning: alice starts first; bob is not up yet.
    const lan = new MemoryDiscoveryBus();
    const dials: string[] = [];
    const slow = { ...FAST_BACKOFF, slow: { initialMs: 60_000, maxMs: 60_000 } };
    const again = await fx.start('alice', {
      ...spec,
      discovery: new MemoryDiscovery(lan, { address: spec.host }),
      transport: logDials(dials),
      init: { backoff: slow },
    });
    await waitFor('alice dials bob from memory', () => dials.length > 0);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(dials).toEqual(['10.0.6.2']); // on the fast schedule (50–200 ms) four times or more
    // Bob comes, announces himself, and (a new profile: he remembers nobody, and his own dials
    // fail here) leaves the dialling to alice, who does it now, not in a minute.
    await fx.start('bob', {
      identity: b.identity,
      host: '10.0.6.2',
      discovery: new MemoryDiscovery(lan, { address: '10.0.6.2' }),
      transport: (base) => ({
        ...base,
        dial: async ({ address, port }) => {
          throw new TransportError('unreachable', `cannot reach ${address}:${port}`);
        },
      }),
    });
    await waitFor('alice reaches bob', () => onlineIds(again).includes(b.node.id), 5_000);
    expect(dials).toEqual(['10.0.6.2', '10.0.6.2']);
  });
});

describe('--peer CODE', () => {
  it('reaches the peer of an invite code through the static peers, like KEY@HOST', async () => {
    fx = new NodeFixture();
    const inviter = await fx.start('inviter', { host: '10.0.7.1', discovery: isolated('10.0.7.1') });
    const entries = parsePeerArgument(inviteOf(inviter));
    expect(entries).toEqual([
      {
        publicKey: inviter.identity.publicKey,
        host: '10.0.7.1',
        port: 7475,
        networkCheck: inviter.node.networkTag.slice(0, 8),
      },
    ]);
    const guest = await fx.start('guest', {
      host: '10.0.8.1',
      discovery: new StaticPeers(entries, { lookup: async (host) => [host] }),
    });
    await waitFor('guest reaches the inviter', () => onlineIds(guest).includes(inviter.node.id));
    await waitFor('and the inviter sees the guest', () => onlineIds(inviter).includes(guest.node.id));
  });
});

describe('peer exchange on a floor that fills up', () => {
  it('converges, and no honest node is flagged for sending peer lists too fast', async () => {
    fx = new NodeFixture();
    const bus = new MemoryDiscoveryBus();
    const nodes: TestNode[] = [];
    // One after another, each once the previous ones see it: every arrival is news that each
    // node passes on to each other node, one batch per arrival per link, 11 in all on the first
    // links: beyond the receivers' burst, so only a sender that keeps to their budget stays clean.
    for (let i = 0; i < 12; i++) {
      const host = `10.0.9.${i + 1}`;
      nodes.push(await fx.start(`n${i}`, { host, discovery: new MemoryDiscovery(bus, { address: host }) }));
      for (const n of nodes) await waitFor(`${n.name} sees the floor`, () => seesAll(n, nodes));
      await new Promise((resolve) => setTimeout(resolve, PEX_BATCH_MS * 1.5));
    }
    await new Promise((resolve) => setTimeout(resolve, PEX_BATCH_MS * 3));
    for (const n of nodes) {
      expect(n.events.filter((e) => e.type === 'warning' && e.code === 'peer-exchange')).toEqual([]);
    }
  });
});
