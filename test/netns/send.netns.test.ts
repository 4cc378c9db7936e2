// `lanchat send` on real hosts: through the control socket of the node already running on the
// profile, as a temporary node of its own (real mDNS, real TCP), and queued for an offline
// recipient until the sender's profile runs again.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, type Network, netnsAvailable } from './harness.js';
import { eventsOfType, HeadlessFleet, type HeadlessNode, onlinePeers } from './headless-node.js';
import type { JsonEvent, ProcessHandle } from './process-handle.js';

const netns = netnsAvailable();
if (!netns.ok) console.warn(`skipping lanchat send netns tests: ${netns.reason}`);

const MEET_MS = 15_000;
let network: Network;
const fleet = new HeadlessFleet();

function start(host: string, nick: string, profile?: string): HeadlessNode {
  return fleet.start(network, host, profile ? { nick, profile } : { nick });
}

/** `lanchat send … --json` in a host; resolves with its exit code and its one JSON line. */
async function lanchatSend(
  host: string,
  profile: string,
  args: string[],
): Promise<{ code: number | null; result: JsonEvent | undefined; process: ProcessHandle }> {
  mkdirSync(profile, { recursive: true, mode: 0o700 });
  const p = network.spawn(host, ['node', 'bin/lanchat.js', 'send', '--json', '--profile', profile, ...args], {
    env: { LANCHAT_NETWORK: undefined, LANCHAT_PROFILE: undefined },
    label: `lanchat send ${args.join(' ')}`,
  });
  p.send(''); // stdin stays open but unused: TEXT is given
  const status = await p.waitForExit(40_000);
  return { code: status.code, result: p.events[0], process: p };
}

const stopAll = () => fleet.stopAll();

describe.skipIf(!netns.ok)('lanchat send between namespace hosts', () => {
  beforeAll(async () => {
    network = await createNetwork({ hosts: 3 });
  }, 60_000);
  afterEach(stopAll);
  afterAll(async () => {
    await stopAll();
    await network?.destroy();
  });

  it('hands the message to the node running on the profile, and a fresh profile sends on its own', async () => {
    const alice = start('h1', 'alice');
    const bob = start('h2', 'bob');
    const [aliceId, bobId] = await Promise.all([alice.id(), bob.id()]);
    await alice.process.waitFor(() => onlinePeers(alice).has(bobId), MEET_MS, { what: 'alice sees bob' });

    const viaSocket = await lanchatSend('h1', alice.profile, [
      '--to',
      'bob',
      '--timeout',
      '15',
      'through alice’s node 你好',
    ]);
    expect(viaSocket.code, viaSocket.process.describe()).toBe(0);
    expect(viaSocket.result).toMatchObject({ status: 'delivered', via: 'running-node', to: { id: bobId } });
    // The running node sent it (its own `sent` line) …
    expect(eventsOfType(alice, 'sent').map((e) => e.text)).toEqual(['through alice’s node 你好']);
    const got = await bob.process.waitFor(
      (e) => e.type === 'message' && e.text === 'through alice’s node 你好',
      5_000,
    );
    expect(got).toMatchObject({ from: { id: aliceId, nick: 'alice' } });
    // … and no second node with alice's identity ever appeared: bob saw alice online exactly once.
    expect(
      eventsOfType(bob, 'peer_online').filter((e) => (e.peer as { id: string }).id === aliceId),
    ).toHaveLength(1);
    expect(eventsOfType(bob, 'peer_offline')).toHaveLength(0);

    const peers = network.spawn(
      'h1',
      ['node', 'bin/lanchat.js', 'peers', '--json', '--profile', alice.profile],
      {
        env: { LANCHAT_NETWORK: undefined, LANCHAT_PROFILE: undefined },
        label: 'lanchat peers',
      },
    );
    expect((await peers.waitForExit(20_000)).code, peers.describe()).toBe(0);
    expect(peers.events[0]).toMatchObject({
      type: 'peers',
      peers: [{ id: bobId, nick: 'bob', online: true }],
    });

    const carolProfile = join(network.dir, 'carol-send');
    const own = await lanchatSend('h3', carolProfile, [
      '--to',
      'bob',
      '--nick',
      'carol',
      '--timeout',
      '15',
      'from h3 👋',
    ]);
    expect(own.code, own.process.describe()).toBe(0);
    expect(own.result).toMatchObject({
      status: 'delivered',
      via: 'temporary-node',
      delivered: [{ id: bobId }],
    });
    await bob.process.waitFor((e) => e.type === 'message' && e.text === 'from h3 👋', 5_000);
    // The temporary node said goodbye rather than vanishing.
    await bob.process.waitFor((e) => e.type === 'peer_offline' && e.reason === 'quit', 10_000, {
      what: 'carol quit',
    });
  }, 90_000);

  it('queues for an offline recipient (exit 75); the next run of the profile delivers it', async () => {
    let bob = start('h2', 'bob');
    const bobId = await bob.id();
    const carolProfile = join(network.dir, 'carol-queue');
    const first = await lanchatSend('h3', carolProfile, [
      '--to',
      'bob',
      '--nick',
      'carol',
      '--timeout',
      '15',
      'hello bob',
    ]);
    expect(first.code, first.process.describe()).toBe(0); // carol's profile now knows bob

    bob.process.send('/quit');
    await bob.process.waitForExit(10_000);
    expect(existsSync(join(bob.profile, 'control.sock')), 'removed on a clean exit').toBe(false);
    const queued = await lanchatSend('h3', carolProfile, [
      '--to',
      'bob',
      '--nick',
      'carol',
      '--timeout',
      '2',
      'while you were away',
    ]);
    expect(queued.code, queued.process.describe()).toBe(75);
    expect(queued.result).toMatchObject({ status: 'queued', pending: [{ id: bobId }] });

    bob = start('h2', 'bob', bob.profile);
    await bob.id();
    const carol = start('h3', 'carol', carolProfile);
    const arrived = await bob.process.waitFor(
      (e) => e.type === 'message' && e.text === 'while you were away',
      20_000,
      {
        what: 'the queued DM after carol’s profile runs again',
      },
    );
    await carol.process.waitFor((e) => e.type === 'delivered' && e.id === arrived.id, 10_000);
    expect(eventsOfType(bob, 'message').filter((e) => e.text === 'while you were away')).toHaveLength(1);

    // A crash leaves the socket file behind; the next run on the profile replaces it.
    carol.process.kill('SIGKILL');
    await carol.process.exited;
    expect(existsSync(join(carolProfile, 'control.sock'))).toBe(true);
    const again = start('h3', 'carol', carolProfile);
    await again.id();
    const after = await lanchatSend('h3', carolProfile, [
      '--to',
      'bob',
      '--timeout',
      '15',
      'after the crash',
    ]);
    expect(after.code, after.process.describe()).toBe(0);
    expect(after.result).toMatchObject({ status: 'delivered', via: 'running-node' });
  }, 90_000);
});
