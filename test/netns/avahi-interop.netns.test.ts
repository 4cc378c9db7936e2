// lanchat against avahi-daemon, the mDNS stack of most Linux desktops: each must understand the
// other, and both must share port 5353 on one host. avahi runs only inside test namespaces, each
// with its own system bus.
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NETWORK_KEY, networkTag } from '../../src/crypto/network-key.js';
import {
  avahiAvailable,
  createNetwork,
  type HostInfo,
  type Network,
  namespacesWithPrefix,
} from './harness.js';
import { type LanchatNode, startDiscover } from './lanchat-node.js';

const avahi = avahiAvailable();
if (!avahi.ok) console.warn(`skipping avahi interop netns tests: ${avahi.reason}`);

const FIND_MS = 8_000;
const PROBE = fileURLToPath(new URL('./fixtures/one-shot-probe.mjs', import.meta.url));
// The goodbye path drops a peer about 1 s after its publisher exits (the RFC's grace); without it the
// records would live for their TTL (120 s, 75 min). 10 s tells the two apart even while another
// worker loads both cores (3 s failed once under the 1,000-DM test); bench:discovery measures it.
const DROP_MS = 10_000;
const TYPE = '_lanchat._tcp';
const TAG = networkTag(DEFAULT_NETWORK_KEY);

/** A real Ed25519 public key in the TXT's encoding (standard base64 of 32 bytes). */
function publicKeyBase64(): string {
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  return Buffer.from(String(jwk.x), 'base64url').toString('base64');
}

describe.skipIf(!avahi.ok)('lanchat and avahi-daemon', () => {
  let network: Network;
  let h1: HostInfo;
  let h2: HostInfo;
  const running: LanchatNode[] = [];
  const start = (host: HostInfo, nick: string) => {
    const node = startDiscover(network, host, { nick });
    running.push(node);
    return node;
  };

  beforeAll(async () => {
    network = await createNetwork({ hosts: 2 });
    [h1, h2] = network.hosts as [HostInfo, HostInfo];
    await network.startAvahi(h2);
  });

  afterEach(async () => {
    const nodes = running.splice(0);
    for (const n of nodes) n.process.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.process.exited));
  });

  afterAll(async () => {
    await network?.destroy();
    if (network) expect(namespacesWithPrefix(network.prefix)).toEqual([]);
  });

  it('avahi-browse -r resolves our service: host lanchat-xxxxxxxx.local, address, port, TXT', async () => {
    const node = start(h1, 'rosa');
    const ready = await node.ready();
    const browse = network.avahiWatch(h2, TYPE);
    const found = await browse.waitFor((e) => e.op === '=' && e.name === 'rosa', FIND_MS, {
      what: 'resolved rosa',
    });
    expect(found.hostName).toMatch(/^lanchat-[0-9a-f]{8}\.local$/);
    // avahi-browse resolves with an unspecified protocol (either family may come first); ask
    // for each family explicitly too, which proves we answer A and AAAA queries from avahi.
    expect([h1.interfaces[0]!.ipv4, h1.interfaces[0]!.ipv6]).toContain(found.address);
    expect(await network.avahiResolve(h2, found.hostName!, 4)).toBe(h1.interfaces[0]!.ipv4);
    expect(await network.avahiResolve(h2, found.hostName!, 6)).toBe(h1.interfaces[0]!.ipv6);
    expect(found.port).toBe(ready.port);
    expect(found.txt).toEqual(expect.arrayContaining(['v=1', `pk=${ready.publicKey}`, `net=${TAG}`]));
    browse.kill();
  });

  it('our querier finds a service published with avahi-publish, and drops it when the publisher exits', async () => {
    const pk = publicKeyBase64();
    const published = await network.avahiPublish(h2, 'sam', TYPE, 7476, ['v=1', `pk=${pk}`, `net=${TAG}`]);
    const node = start(h1, 'tara');
    await node.ready();
    // peer_up may carry only the first address record to arrive (often the IPv6 one); the IPv4
    // address follows as peer_update.
    const peer = await node.waitForPeer(pk, FIND_MS, (p) => p.addresses.includes(h2.interfaces[0]!.ipv4!));
    expect(peer).toMatchObject({ nick: 'sam', port: 7476, source: 'mdns' });
    published.process.kill('SIGTERM'); // avahi withdraws the service with TTL-0 goodbyes
    await node.process.waitFor((e) => e.type === 'peer_down' && e.publicKey === pk, DROP_MS, {
      what: 'peer_down after avahi-publish exited',
    });
  });

  it('a nick already published by avahi makes us rename', async () => {
    const published = await network.avahiPublish(h2, 'uma', TYPE, 7477, [
      'v=1',
      `pk=${publicKeyBase64()}`,
      `net=${TAG}`,
    ]);
    const node = start(h1, 'uma');
    await node.ready();
    await node.process.waitFor((e) => e.type === 'renamed', FIND_MS, { what: 'renamed' });
    expect(node.process.events.find((e) => e.type === 'renamed')).toEqual({
      type: 'renamed',
      nick: 'uma (2)',
      previous: 'uma',
    });
    const browse = network.avahiWatch(h2, TYPE);
    await browse.waitFor((e) => e.op === '=' && e.name === 'uma (2)', FIND_MS, { what: 'uma (2) via avahi' });
    browse.kill();
    published.process.kill();
  });

  it('coexists with avahi-daemon in one namespace (port 5353 shared)', async () => {
    await network.startAvahi(h1);
    const local = start(h1, 'vic');
    const remote = start(h2, 'wes');
    const [rl, rr] = await Promise.all([local.ready(), remote.ready()]);
    await local.waitForPeer(rr.publicKey, FIND_MS);
    await remote.waitForPeer(rl.publicKey, FIND_MS);
    // avahi on h1 sees the lanchat on its own host and the one across the bridge.
    const browse = network.avahiWatch(h1, TYPE);
    await browse.waitFor((e) => e.op === '=' && e.name === 'wes', FIND_MS, { what: 'wes via avahi on h1' });
    await browse.waitFor((e) => e.op === '=' && e.name === 'vic', FIND_MS, { what: 'vic via avahi on h1' });
    browse.kill();
    expect(local.process.events.filter((e) => e.type === 'error')).toEqual([]);
    await network.stopAvahi(h1);
  });

  it.each([4, 6] as const)(
    'our one-shot query (IPv%i) is answered at once by unicast, by lanchat and by avahi alike',
    async (family) => {
      const pk = publicKeyBase64();
      const published = await network.avahiPublish(h2, 'wes', TYPE, 7478, ['v=1', `pk=${pk}`, `net=${TAG}`]);
      const node = start(h1, 'xena');
      await node.ready();
      await node.process.waitFor((e) => e.type === 'announced', FIND_MS, { what: 'announced' });
      const probe = network.spawn(
        h1,
        ['node', PROBE, '--iface', h1.interfaces[0]!.name, '--family', String(family)],
        { label: `one-shot probe v${family}` },
      );
      await probe.waitFor((e) => e.type === 'done', FIND_MS, { what: 'probe done' });
      const answers = probe.events.filter((e) => e.type === 'answer');
      const byInstance = (nick: string) =>
        answers.find((a) =>
          (a.records as { name: string; type: string }[]).some(
            (r) => r.type === 'SRV' && r.name === `${nick}.${TYPE}.local`,
          ),
        );
      for (const nick of ['xena', 'wes']) {
        const answer = byInstance(nick);
        expect(answer, `an answer for ${nick}`).toMatchObject({ port: 5353, id: 4242, response: true });
        // §6.7: legacy unicast answers carry no cache-flush bit and TTLs of at most 10 s.
        for (const r of answer!.records as { ttl: number; flush: boolean }[]) {
          expect(r.ttl).toBeLessThanOrEqual(10);
          expect(r.flush).toBe(false);
        }
      }
      published.process.kill();
    },
  );
});
