// File transfer between real hosts: mDNS discovery between namespaces, TCP, the headless JSON
// interface as a script drives it, and `lanchat send --file` through a running node's socket.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, type Network, netnsAvailable } from './harness.js';
import { HeadlessFleet, type HeadlessNode, onlinePeers } from './headless-node.js';

const netns = netnsAvailable();
if (!netns.ok) console.warn(`skipping lanchat file netns tests: ${netns.reason}`);

const MEET_MS = 15_000;
const SIZE = 50_000_000;
let network: Network;
const fleet = new HeadlessFleet();

function start(host: string, nick: string, downloads: string): HeadlessNode {
  mkdirSync(downloads, { recursive: true });
  return fleet.start(network, host, { nick, extraArgs: ['--download-dir', downloads] });
}

const stopAll = () => fleet.stopAll();

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe.skipIf(!netns.ok)('file transfer between namespace hosts', () => {
  beforeAll(async () => {
    network = await createNetwork({ hosts: 2 });
  }, 60_000);
  afterEach(stopAll);
  afterAll(async () => {
    await stopAll();
    await network?.destroy();
  });

  it('a 50 MB file found over mDNS arrives byte for byte; progress at most 4 per second', async () => {
    const inboxA = join(network.dir, 'alice-downloads');
    const inboxB = join(network.dir, 'bob-downloads');
    const a = start('h1', 'alice', inboxA);
    const b = start('h2', 'bob', inboxB);
    const [aliceId, bobId] = await Promise.all([a.id(), b.id()]);
    await a.process.waitFor(() => onlinePeers(a).has(bobId), MEET_MS, { what: 'alice sees bob' });
    await b.process.waitFor(() => onlinePeers(b).has(aliceId), MEET_MS, { what: 'bob sees alice' });

    const data = randomBytes(SIZE);
    const source = join(network.dir, 'holiday video.mp4');
    writeFileSync(source, data);
    a.process.send(`/send bob ${source}`);
    const offered = await a.process.waitFor((e) => e.type === 'file_offered', 30_000, { what: 'offered' });
    const id = String(offered.id);
    const offer = await b.process.waitFor((e) => e.type === 'file_offer' && e.id === id, 10_000, {
      what: 'bob sees the offer',
    });
    expect(offer).toMatchObject({
      name: 'holiday video.mp4',
      size: SIZE,
      sha256: sha256(data),
      from: { nick: 'alice' },
    });
    b.process.send(`/accept ${id}`);
    const acceptedAt = performance.now();
    const done = await b.process.waitFor((e) => e.type === 'file_done' && e.id === id, 120_000, {
      what: 'bob stores the file',
    });
    expect(done.path).toBe(join(inboxB, 'holiday video.mp4'));
    expect(readFileSync(String(done.path)).equals(data)).toBe(true);
    expect(done.sha256).toBe(sha256(data));
    await a.process.waitFor((e) => e.type === 'file_done' && e.id === id, 10_000, { what: 'alice hears it' });
    expect(readdirSync(inboxB)).toEqual(['holiday video.mp4']);

    // At most 4 progress lines per second (one per chunk without the limit), counted over a window
    // that surely holds all of them: from our /accept to the arrival of file_done. The gaps between
    // arrivals are no measure: under load the pipe delivers lines written 250 ms apart together.
    const progress = b.process.timeline.filter((t) => t.event.type === 'file_progress' && t.event.id === id);
    const doneAt = b.process.timeline.find((t) => t.event.type === 'file_done' && t.event.id === id)!.at;
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThanOrEqual(Math.floor((doneAt - acceptedAt) / 250) + 1);

    b.process.send('/transfers');
    const list = await b.process.waitFor((e) => e.type === 'transfers', 5_000, { what: '/transfers' });
    expect(list.transfers).toEqual([
      expect.objectContaining({ id, state: 'done', bytes: SIZE, direction: 'in' }),
    ]);
  }, 180_000);

  it('lanchat send --file goes through the running node and exits 0 once the receiver verified it', async () => {
    const inboxB = join(network.dir, 'bob-downloads-2');
    const a = start('h1', 'alice', join(network.dir, 'alice-downloads-2'));
    const b = start('h2', 'bob', inboxB);
    const [aliceId, bobId] = await Promise.all([a.id(), b.id()]);
    await a.process.waitFor(() => onlinePeers(a).has(bobId), MEET_MS, { what: 'alice sees bob' });
    await b.process.waitFor(() => onlinePeers(b).has(aliceId), MEET_MS, { what: 'bob sees alice' });
    const source = join(network.dir, 'notes.txt');
    writeFileSync(source, 'meeting notes\n');
    const send = network.spawn(
      'h1',
      [
        'node',
        'bin/lanchat.js',
        'send',
        '--json',
        '--profile',
        a.profile,
        '--to',
        'bob',
        '--file',
        source,
        '--timeout',
        '60',
      ],
      { env: { LANCHAT_NETWORK: undefined, LANCHAT_PROFILE: undefined }, label: 'lanchat send --file' },
    );
    const offer = await b.process.waitFor((e) => e.type === 'file_offer', 20_000, {
      what: 'offer via socket',
    });
    b.process.send(`/accept ${String(offer.id)}`);
    const status = await send.waitForExit(60_000);
    expect(status.code, send.describe()).toBe(0);
    expect(send.events[0]).toMatchObject({ type: 'send_file', status: 'delivered', via: 'running-node' });
    expect(readFileSync(join(inboxB, 'notes.txt'), 'utf8')).toBe('meeting notes\n');
  }, 120_000);
});
