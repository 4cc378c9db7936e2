// A private network on the wire: what an outsider captures, who finds whom, what gets counted.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { discoveryKeyOf, networkKeyFromCode, networkTag } from '../../src/crypto/network-key.js';
import { hostNameFor } from '../../src/discovery/mdns-names.js';
import { b64, keyOf, MdnsKit, type TestNode } from './mdns-kit.js';

const NETWORK = networkKeyFromCode(new Uint8Array(16).fill(0x5a));
const TAG = networkTag(NETWORK);
const OURS = discoveryKeyOf(NETWORK);
const OTHER = discoveryKeyOf(networkKeyFromCode(new Uint8Array(16).fill(0xa5)));

let nodes: TestNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.discovery.stop()));
  nodes = [];
});

async function node(kit: MdnsKit, address: string, nick: string, extra: object = {}, tag = TAG) {
  const n = await kit.node(address, nick, { tag, extra });
  nodes.push(n);
  return n;
}

const nicks = (n: TestNode) =>
  n.discovery
    .peers()
    .map((p) => p.nick)
    .sort();

/** Every form in which a key could show up in a packet. */
function forms(key: Uint8Array): Buffer[] {
  const k = Buffer.from(key);
  return [
    k,
    ...[k.toString('base64'), k.toString('base64url'), k.toString('hex')].map((s) => Buffer.from(s)),
  ];
}

describe('a private network on mDNS', () => {
  it('members find each other by key and nick; outsiders and other networks find nobody, and count them', async () => {
    const kit = new MdnsKit();
    const alice = await node(kit, '10.0.0.1', 'alice', { discoveryKey: OURS });
    const bob = await node(kit, '10.0.0.2', 'bob', { discoveryKey: OURS });
    const pub = await node(kit, '10.0.0.3', 'pat', {}, 'ffffffffffffffff');
    const other = await node(kit, '10.0.0.4', 'oz', { discoveryKey: OTHER });
    await kit.clock.advance(10_000);
    expect(alice.discovery.peers()).toEqual([
      expect.objectContaining({ nick: 'bob', publicKey: b64(2), port: 7475 }),
    ]);
    expect(nicks(bob)).toEqual(['alice']);
    expect(pub.discovery.peers()).toEqual([]);
    expect(other.discovery.peers()).toEqual([]);
    // The public node is another network for the private ones too (positive control: counted).
    expect(pub.discovery.foreignServices()).toBe(3);
    expect(other.discovery.foreignServices()).toBe(3);
    expect(alice.discovery.foreignServices()).toBe(2);
    expect(pub.events).toContainEqual(expect.objectContaining({ type: 'warning', code: 'other-network' }));
    expect(alice.discovery.nick).toBe('alice');
    expect(alice.events).toContainEqual({ type: 'announced', nick: 'alice' });
    // The label bob is announced under is random, and is what alice's hint records (doctor tells
    // bob's announcement from a stranger's by it).
    const bobLabel = bob.discovery.instanceLabel();
    expect(bobLabel).toMatch(/^lc-[0-9a-f]{16}$/);
    expect(alice.discovery.peers()[0]?.instance).toBe(bobLabel);
  });

  it('sends nothing that names the node: no nick, key (raw, base64, hex), network tag or key-derived host', async () => {
    const kit = new MdnsKit();
    const alice = await node(kit, '10.0.0.1', 'alice-the-nick', { discoveryKey: OURS });
    await node(kit, '10.0.0.2', 'bob', { discoveryKey: OURS });
    await kit.clock.advance(10_000);
    alice.discovery.update({ nick: 'alicia-renamed' });
    await kit.clock.advance(10_000);
    await alice.discovery.stop();
    const sent = Buffer.concat(kit.wire.from('10.0.0.1').map((p) => p.bytes));
    expect(sent.length).toBeGreaterThan(1000);
    const secrets = [
      Buffer.from('alice-the-nick'),
      Buffer.from('alicia-renamed'),
      ...forms(keyOf(1)),
      Buffer.from(TAG),
      Buffer.from(hostNameFor(keyOf(1)).replace('.local', '')),
      Buffer.from(createHash('sha256').update(keyOf(1)).digest('hex').slice(0, 8)),
    ];
    for (const secret of secrets) expect(sent.includes(secret), secret.toString()).toBe(false);
    // Positive control: the same capture on the public network holds the nick and the key.
    const open = new MdnsKit();
    await node(open, '10.0.0.1', 'alice-the-nick');
    await open.clock.advance(10_000);
    const clear = Buffer.concat(open.wire.from('10.0.0.1').map((p) => p.bytes));
    expect(clear.includes(Buffer.from('alice-the-nick'))).toBe(true);
    expect(clear.includes(Buffer.from(b64(1)))).toBe(true);
  });

  it('names are opaque and random per start; the TXT gets a fresh salt on each start and nick change', async () => {
    const kit = new MdnsKit();
    const txtOf = (address: string, since = 0) =>
      kit.wire
        .from(address, since)
        .flatMap((p) => (p.packet.kind === 'response' ? p.packet.answers : []))
        .flatMap((r) => (r.type === 'TXT' && r.ttl > 0 ? [Buffer.concat(r.data).toString('hex')] : []));
    const instanceOf = (address: string, since = 0) =>
      kit.wire
        .from(address, since)
        .flatMap((p) => (p.packet.kind === 'response' ? p.packet.answers : []))
        .flatMap((r) => (r.type === 'SRV' && r.ttl > 0 ? [r.name] : []));
    const first = await node(kit, '10.0.0.1', 'alice', { discoveryKey: OURS });
    const bob = await node(kit, '10.0.0.2', 'bob', { discoveryKey: OURS });
    await kit.clock.advance(10_000);
    const [instance1] = instanceOf('10.0.0.1');
    const [txt1] = txtOf('10.0.0.1');
    expect(instance1).toMatch(/^lc-[0-9a-f]{16}\._lanchat\._tcp\.local$/);
    const renamedAt = kit.clock.now();
    first.discovery.update({ nick: 'alicia' });
    await kit.clock.advance(10_000);
    expect(new Set(instanceOf('10.0.0.1', renamedAt))).toEqual(new Set([instance1]));
    const txt2 = txtOf('10.0.0.1', renamedAt)[0];
    expect(txt2).toBeDefined();
    expect(txt2).not.toBe(txt1);
    expect(nicks(bob)).toEqual(['alicia']);
    expect(bob.events.filter((e) => e.type === 'up')).toHaveLength(1);
    await first.discovery.stop();
    await kit.clock.advance(1_000);
    const restartedAt = kit.clock.now();
    await node(kit, '10.0.0.1', 'alicia', { discoveryKey: OURS });
    await kit.clock.advance(10_000);
    expect(instanceOf('10.0.0.1', restartedAt)[0]).not.toBe(instance1);
    expect(txtOf('10.0.0.1', restartedAt)[0]).not.toBe(txt2);
    expect(nicks(bob)).toEqual(['alicia']);
  });

  it('a clash of opaque names is resolved by RFC 6762 §9 probing: a new random name, no rename', async () => {
    const kit = new MdnsKit();
    // Two nodes that draw the same "random" names, then distinct ones.
    const draws = (seed: number) => {
      let calls = 0;
      return (n: number) => new Uint8Array(n).fill(calls++ < 2 ? 0x11 : seed);
    };
    const a = await node(kit, '10.0.0.1', 'ann', { discoveryKey: OURS, randomBytes: draws(0x22) });
    await kit.clock.advance(10_000);
    const b = await node(kit, '10.0.0.2', 'ben', { discoveryKey: OURS, randomBytes: draws(0x33) });
    const watcher = await node(kit, '10.0.0.3', 'wat', { discoveryKey: OURS });
    await kit.clock.advance(20_000);
    expect(nicks(watcher)).toEqual(['ann', 'ben']);
    expect(nicks(a)).toEqual(['ben', 'wat']);
    expect(nicks(b)).toEqual(['ann', 'wat']);
    expect([...a.events, ...b.events].filter((e) => e.type === 'renamed')).toEqual([]);
    expect(b.discovery.nick).toBe('ben');
  });

  it('a member that runs an older lanchat (v=1 with our tag) is still found', async () => {
    const kit = new MdnsKit();
    const alice = await node(kit, '10.0.0.1', 'alice', { discoveryKey: OURS });
    await node(kit, '10.0.0.2', 'old-bob');
    await kit.clock.advance(10_000);
    expect(nicks(alice)).toEqual(['old-bob']);
  });
});
