// `lanchat discover --json` on real hosts (network namespaces on a bridge): real multicast, real
// interfaces, real process exits. These prove what unit tests of the mDNS code cannot: that
// peers show up on the networks users actually have.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createNetwork,
  type HostInfo,
  type Network,
  namespacesWithPrefix,
  netnsAvailable,
} from './harness.js';
import { type LanchatNode, type ReadyEvent, sameSubnet, startDiscover } from './lanchat-node.js';

const netns = netnsAvailable();
if (!netns.ok) console.warn(`skipping lanchat discovery netns tests: ${netns.reason}`);

// Generous against a loaded 2-core CI box; the benchmark measures the real figures (targets
// 1.5 s find-all, 1 s drop).
const FIND_MS = 8_000;
const DROP_MS = 3_000;
const STRONG_PASSPHRASE = 'netns test network: Correct-Horse-42';

const running: LanchatNode[] = [];

function start(
  network: Network,
  host: HostInfo | string,
  nick: string,
  extra: Partial<Parameters<typeof startDiscover>[2]> = {},
) {
  const node = startDiscover(network, host, { nick, ...extra });
  running.push(node);
  return node;
}

afterEach(async () => {
  const nodes = running.splice(0);
  for (const n of nodes) n.process.kill('SIGKILL');
  await Promise.all(nodes.map((n) => n.process.exited));
});

/** Every node finds every other with the right nick and port and an address `addressOk`. */
async function expectAllFind(
  nodes: LanchatNode[],
  readies: ReadyEvent[],
  addressOk: (seer: LanchatNode, seen: LanchatNode, addresses: string[]) => boolean,
): Promise<void> {
  await Promise.all(
    nodes.map(async (seer, i) => {
      for (const [j, seen] of nodes.entries()) {
        if (i === j) continue;
        const r = readies[j]!;
        // Addresses may arrive one record at a time (peer_up, then peer_update): wait for the
        // complete picture rather than judging the first sighting; a timeout prints the events.
        await seer.waitForPeer(
          r.publicKey,
          FIND_MS,
          (p) =>
            p.nick === r.nick &&
            p.port === r.port &&
            p.source === 'mdns' &&
            addressOk(seer, seen, p.addresses),
        );
      }
    }),
  );
}

const onSeersSubnet = (seer: LanchatNode, seen: LanchatNode, addresses: string[]) =>
  addresses.includes(seen.host.interfaces[0]!.ipv4!) &&
  addresses.every((a) => a.includes(':') || sameSubnet(a, seer.host.interfaces[0]!.ipv4));

describe.skipIf(!netns.ok)('lanchat discover in network namespaces', () => {
  const networks: Network[] = [];
  const make = async (options: Parameters<typeof createNetwork>[0]) => {
    const n = await createNetwork(options);
    networks.push(n);
    return n;
  };
  let routed: Network;

  beforeAll(async () => {
    routed = await make({ hosts: 4 });
  });

  afterAll(async () => {
    await Promise.all(networks.map((n) => n.destroy()));
    for (const n of networks) expect(namespacesWithPrefix(n.prefix)).toEqual([]);
  });

  it('3 hosts with a default route find each other (nick, port, address on the subnet)', async () => {
    const nodes = ['ann', 'ben', 'cat'].map((nick, i) => start(routed, routed.hosts[i]!, nick));
    const readies = await Promise.all(nodes.map((n) => n.ready()));
    await expectAllFind(nodes, readies, onSeersSubnet);
  });

  it('3 hosts without any default route find each other', async () => {
    const isolated = await make({ hosts: 3, defaultRoute: false });
    const nodes = ['dan', 'eve', 'fay'].map((nick, i) => start(isolated, isolated.hosts[i]!, nick));
    const readies = await Promise.all(nodes.map((n) => n.ready()));
    await expectAllFind(nodes, readies, onSeersSubnet);
  });

  it('IPv6 link-local only (no IPv4 at all): hosts still find each other', async () => {
    const v6 = await make({ hosts: 3, ipv6Only: true, defaultRoute: false });
    const nodes = ['gus', 'hal', 'ivy'].map((nick, i) => start(v6, v6.hosts[i]!, nick));
    const readies = await Promise.all(nodes.map((n) => n.ready()));
    await expectAllFind(nodes, readies, (_seer, seen, addresses) =>
      addresses.some((a) => a.replace(/%.*$/, '') === seen.host.interfaces[0]!.ipv6 && a.includes('%')),
    );
  });

  it('a multihomed host finds peers on both bridges; each side sees it on its own subnet', async () => {
    const mh = await make({ hosts: 3, multihomed: true });
    const [h1, h2, h3] = mh.hosts as [HostInfo, HostInfo, HostInfo];
    const both = start(mh, h1, 'jon');
    const left = start(mh, h2, 'kim');
    const right = start(mh, h3, 'lou');
    const [rb, rl, rr] = await Promise.all([both.ready(), left.ready(), right.ready()]);
    await both.waitForPeer(rl.publicKey, FIND_MS, (p) => p.addresses.includes(h2.interfaces[0]!.ipv4!));
    await both.waitForPeer(rr.publicKey, FIND_MS, (p) => p.addresses.includes(h3.interfaces[0]!.ipv4!));
    const [eth0, eth1] = h1.interfaces as [HostInfo['interfaces'][0], HostInfo['interfaces'][0]];
    const seenLeft = await left.waitForPeer(rb.publicKey, FIND_MS, (p) => p.addresses.includes(eth0.ipv4!));
    const seenRight = await right.waitForPeer(rb.publicKey, FIND_MS, (p) => p.addresses.includes(eth1.ipv4!));
    // RFC 6762 §15: each link is answered with the addresses of the interface it goes out on.
    expect(seenLeft.addresses).toContain(eth0.ipv4);
    expect(seenLeft.addresses).not.toContain(eth1.ipv4);
    expect(seenRight.addresses).toContain(eth1.ipv4);
    expect(seenRight.addresses).not.toContain(eth0.ipv4);
    // The two bridges are separate LANs: kim and lou never meet.
    expect(left.peers().has(rr.publicKey)).toBe(false);
    expect(right.peers().has(rl.publicKey)).toBe(false);
  });

  it('a clean exit (SIGTERM) makes the others drop the peer within a deadline', async () => {
    const nodes = ['max', 'ned', 'oli'].map((nick, i) => start(routed, routed.hosts[i]!, nick));
    const readies = await Promise.all(nodes.map((n) => n.ready()));
    await expectAllFind(nodes, readies, () => true);
    const [stay1, stay2, leaver] = nodes as [LanchatNode, LanchatNode, LanchatNode];
    const leaverKey = readies[2]!.publicKey;
    const from = [stay1.process.events.length, stay2.process.events.length];
    leaver.process.kill('SIGTERM');
    await Promise.all(
      [stay1, stay2].map((n, i) =>
        n.process.waitFor((e) => e.type === 'peer_down' && e.publicKey === leaverKey, DROP_MS, {
          what: 'peer_down of the leaver',
          fromIndex: from[i]!,
        }),
      ),
    );
    const status = await leaver.process.waitForExit(DROP_MS);
    expect(leaver.process.events.at(-1)?.type, leaver.describe()).toBe('bye');
    expect(status.code).toBe(0);
    const down = stay1.process.events.find((e) => e.type === 'peer_down' && e.publicKey === leaverKey);
    expect(down?.reason).toBe('goodbye');
  });

  it('/quit on stdin says goodbye too', async () => {
    const a = start(routed, 'h1', 'pat');
    const b = start(routed, 'h2', 'quinn');
    const [ra, rb] = await Promise.all([a.ready(), b.ready()]);
    await a.waitForPeer(rb.publicKey, FIND_MS);
    await b.waitForPeer(ra.publicKey, FIND_MS);
    b.process.send('/quit');
    await a.process.waitFor((e) => e.type === 'peer_down' && e.publicKey === rb.publicKey, DROP_MS, {
      what: 'peer_down after /quit',
    });
    expect((await b.process.waitForExit(DROP_MS)).code).toBe(0);
  });

  it('two hosts both started as "alice" end with unique nicks, one of them "alice (2)"', async () => {
    const a = start(routed, 'h1', 'alice');
    const b = start(routed, 'h2', 'alice');
    const watcher = start(routed, 'h3', 'watcher');
    const [ra, rb] = await Promise.all([a.ready(), b.ready(), watcher.ready()]);
    const nicksSeen = () =>
      [watcher.peers().get(ra.publicKey)?.nick, watcher.peers().get(rb.publicKey)?.nick].sort().join('|');
    await watcher.process.waitFor(() => nicksSeen() === 'alice|alice (2)', FIND_MS, {
      what: 'alice and alice (2) as seen from h3',
    });
    const own = [a.currentNick(), b.currentNick()].sort();
    expect(own, `${a.describe()}\n${b.describe()}`).toEqual(['alice', 'alice (2)']);
    const renamed = [a, b].flatMap((n) => n.process.events.filter((e) => e.type === 'renamed'));
    expect(renamed).toEqual([{ type: 'renamed', nick: 'alice (2)', previous: 'alice' }]);
  });

  it('peers of another --network are not reported', async () => {
    // Two pairs on one LAN: the positive control (each pair meets) shows that everybody's packets
    // were flowing and processed before the absence is asserted.
    const pub1 = start(routed, 'h1', 'pub-one');
    const priv1 = start(routed, 'h2', 'priv-one', { network: STRONG_PASSPHRASE });
    const pub2 = start(routed, 'h3', 'pub-two');
    const priv2 = start(routed, 'h4', 'priv-two', { network: STRONG_PASSPHRASE });
    const r = await Promise.all([pub1, priv1, pub2, priv2].map((n) => n.ready()));
    await pub1.waitForPeer(r[2]!.publicKey, FIND_MS);
    await pub2.waitForPeer(r[0]!.publicKey, FIND_MS);
    await priv1.waitForPeer(r[3]!.publicKey, FIND_MS);
    await priv2.waitForPeer(r[1]!.publicKey, FIND_MS);
    expect([...pub1.peers().keys()]).toEqual([r[2]!.publicKey]);
    expect([...pub2.peers().keys()]).toEqual([r[0]!.publicKey]);
    expect([...priv1.peers().keys()]).toEqual([r[3]!.publicKey]);
    expect([...priv2.peers().keys()]).toEqual([r[1]!.publicKey]);
  });
});
