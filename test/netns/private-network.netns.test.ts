// Private networks on real hosts: two members (one given the code by LANCHAT_NETWORK, one by a
// 0600 --network-file) find each other over real mDNS and chat; a node of another network on the
// same LAN finds neither, and a passive listener captures nothing that names the members.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newNetworkCode, parseNetworkCode } from '../../src/crypto/network-code.js';
import { networkKeyFromCode, networkTag } from '../../src/crypto/network-key.js';
import { parseId } from '../../src/identity/ids.js';
import { createNetwork, type Network, netnsAvailable, REPO_ROOT } from './harness.js';
import { eventsOfType, HeadlessFleet, type HeadlessNode, meet, onlinePeers } from './headless-node.js';
import type { ProcessHandle } from './process-handle.js';

const netns = netnsAvailable();
if (!netns.ok) console.warn(`skipping private network netns tests: ${netns.reason}`);

const MEET_MS = 20_000;
const CAPTURE = join(REPO_ROOT, 'test/netns/fixtures/mdns-capture.mjs');
let network: Network;
const fleet = new HeadlessFleet();
const captures: ProcessHandle[] = [];

function tagOf(code: string): string {
  const parsed = parseNetworkCode(code);
  if (!parsed.ok) throw new Error(parsed.problem);
  return networkTag(networkKeyFromCode(parsed.key));
}

describe.skipIf(!netns.ok)('a private network between namespace hosts', () => {
  beforeAll(async () => {
    network = await createNetwork({ hosts: 3 });
  }, 60_000);
  afterEach(async () => {
    await fleet.stopAll();
    for (const c of captures.splice(0)) {
      c.kill('SIGKILL');
      await c.exited;
    }
  });
  afterAll(async () => {
    await network?.destroy();
  });

  it('members meet and chat; another network on the LAN sees neither; the wire names nobody', async () => {
    const ours = newNetworkCode();
    const theirs = newNetworkCode();
    const observer = network.host('h3');
    const eth0 = observer.interfaces[0]!;
    const capture = network.spawn(observer, ['node', CAPTURE, '--iface', eth0.name, '--ipv4', eth0.ipv4!], {
      label: 'mdns-capture',
    });
    captures.push(capture);
    await capture.waitFor((e) => e.type === 'ready', 5_000);

    const codeFile = join(network.dir, 'network-code');
    writeFileSync(codeFile, `${ours}\n`);
    chmodSync(codeFile, 0o600);
    const alice = fleet.start(network, 'h1', { nick: 'alice-private', env: { LANCHAT_NETWORK: ours } });
    const bob = fleet.start(network, 'h2', { nick: 'bob-private', extraArgs: ['--network-file', codeFile] });
    const oscar = fleet.start(network, 'h3', { nick: 'oscar-outsider', env: { LANCHAT_NETWORK: theirs } });
    const [aliceId = '', bobId = ''] = await meet([alice, bob], MEET_MS);
    const oscarId = await oscar.id();

    alice.process.send('/msg bob-private sealed hello');
    const dm = await bob.process.waitFor((e) => e.type === 'message' && e.text === 'sealed hello', 10_000);
    expect(dm).toMatchObject({ from: { nick: 'alice-private' } });

    // Oscar heard them (positive control: they are there, just not his network) and found no one.
    await oscar.process.waitFor(
      (e) => e.type === 'warning' && e.code === 'discovery-other-network',
      MEET_MS,
      { what: 'oscar hears services of another network' },
    );
    const stray = (n: HeadlessNode) => eventsOfType(n, 'peer_online').length;
    expect(stray(oscar)).toBe(0);
    expect(onlinePeers(alice).has(oscarId)).toBe(false);
    expect(onlinePeers(bob).has(oscarId)).toBe(false);
    // No ps warning for a key from the environment or a file.
    for (const n of [alice, bob]) expect(n.process.stderrLines.join('\n')).not.toMatch(/command line/);

    // What the outsider's passive listener captured from the two members.
    const memberAddresses = new Set(
      [network.host('h1'), network.host('h2')].flatMap((h) => h.interfaces.flatMap((i) => [i.ipv4, i.ipv6])),
    );
    const fromMembers = capture.events.filter(
      (e) => e.type === 'packet' && memberAddresses.has(String(e.from)),
    );
    expect(fromMembers.length).toBeGreaterThan(3);
    const wire = Buffer.concat(fromMembers.map((e) => Buffer.from(String(e.bytes), 'base64')));
    const secrets: Buffer[] = [
      Buffer.from('alice-private'),
      Buffer.from('bob-private'),
      Buffer.from(tagOf(ours)),
    ];
    for (const id of [aliceId, bobId]) {
      const key = Buffer.from(parseId(id)!);
      secrets.push(
        key,
        Buffer.from(id),
        Buffer.from(key.toString('base64')),
        Buffer.from(key.toString('hex')),
      );
    }
    for (const secret of secrets)
      expect(wire.includes(secret), `captured ${secret.toString('hex')}`).toBe(false);
    // Positive control: the outsider's own network is private too, but our capture does see the
    // lanchat service type, so it would have seen a name or key had one been sent.
    expect(wire.includes(Buffer.from('_lanchat'))).toBe(true);
    expect(onlinePeers(alice).has(bobId)).toBe(true);
  }, 90_000);
});
