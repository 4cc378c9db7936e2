// Sealed drops on real hosts (issue 18): alice and bob are never online at the same time, carol
// is. alice's DM reaches bob through carol within 2 s of bob meeting carol, exactly once; alice,
// back later, sees it delivered (and read) via relay; carol's files and memory never held the plaintext.
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFleetNetwork } from './fleet-network.js';
import { type Network, netnsAvailable } from './harness.js';
import { eventsOfType, HeadlessFleet, type HeadlessNode, meet } from './headless-node.js';

const netns = netnsAvailable();
if (!netns.ok) console.warn(`skipping lanchat drops netns tests: ${netns.reason}`);

const MEET_MS = 15_000;
let network: Network;
const fleet = new HeadlessFleet();

/** Every file under `dir`, recursively (the database, its WAL and SHM, the identity, the socket). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

/** Searches the readable memory of a live process (/proc/PID/mem, as root) for `needle`. Returns
 * the number of bytes searched, or throws when `needle` is found. */
function searchMemory(pid: number, needle: Buffer): number {
  const maps = readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n');
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  let searched = 0;
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  try {
    for (const line of maps) {
      const m = /^([0-9a-f]+)-([0-9a-f]+) r/.exec(line);
      if (!m || line.includes('[vvar')) continue;
      const start = BigInt(`0x${m[1]}`);
      const end = BigInt(`0x${m[2]}`);
      // Overlap by the needle's length so a match across two chunks is found too.
      for (let at = start; at < end; at += BigInt(chunk.length - needle.length)) {
        const want = Number(end - at < BigInt(chunk.length) ? end - at : BigInt(chunk.length));
        let got: number;
        try {
          got = readSync(fd, chunk, 0, want, at);
        } catch {
          break; // an unreadable mapping (guard pages, device memory)
        }
        searched += got;
        if (chunk.subarray(0, got).includes(needle))
          throw new Error(`found the plaintext in memory of ${pid}: ${line}`);
        if (got < want) break;
      }
    }
  } finally {
    closeSync(fd);
  }
  return searched;
}

describe.skipIf(!netns.ok)('sealed drops between namespace hosts', () => {
  useFleetNetwork({ hosts: 3 }, fleet, (created) => {
    network = created;
  });

  it('alice → bob while bob is offline, alice gone when bob returns: carol hands it over, blind', async () => {
    let a: HeadlessNode = fleet.start(network, 'h1', { nick: 'alice' });
    let b: HeadlessNode = fleet.start(network, 'h2', { nick: 'bob' });
    const c = fleet.start(network, 'h3', { nick: 'carol' });
    const [aliceId, bobId, carolId] = await meet([a, b, c], MEET_MS);

    // bob leaves; alice writes to him; carol takes a sealed copy; alice leaves.
    b.process.send('/quit');
    await b.process.waitForExit(10_000);
    await a.process.waitFor(
      (e) => e.type === 'peer_offline' && (e.peer as { id: string }).id === bobId,
      10_000,
      { what: 'bob offline at alice' },
    );
    const secret = `drop-plaintext-${Math.random().toString(36).slice(2)} 秘密`;
    a.process.send(`/msg bob ${secret}`);
    const sent = await a.process.waitFor((e) => e.type === 'sent' && e.queued === true, 5_000);
    await a.process.waitFor((e) => e.type === 'deposited' && e.id === sent.id, 10_000, {
      what: 'deposited with carol',
    });
    a.process.send('/outbox');
    const outbox = await a.process.waitFor((e) => e.type === 'outbox', 5_000);
    expect(outbox.messages).toMatchObject([{ id: sent.id, state: 'deposited', holders: 1 }]);
    a.process.send('/quit');
    await a.process.waitForExit(10_000);

    // bob returns; alice is gone.
    b = fleet.start(network, 'h2', { nick: 'bob', profile: b.profile });
    const met = await b.process.waitFor(
      (e) => e.type === 'peer_online' && (e.peer as { id: string }).id === carolId,
      MEET_MS,
      { what: 'bob meets carol' },
    );
    const shown = await b.process.waitFor((e) => e.type === 'message' && e.text === secret, 10_000, {
      what: "alice's DM at bob",
    });
    const at = (event: object) => b.process.timeline.find((t) => t.event === event)!.at;
    const ms = at(shown) - at(met);
    console.log(`drops: bob showed alice's DM ${ms.toFixed(0)} ms after meeting carol`);
    expect(ms).toBeLessThan(2_000);
    expect(shown).toMatchObject({ id: sent.id, from: { id: aliceId, nick: 'alice' }, to: { id: bobId } });

    // carol never had the plaintext: not in any file of her profile (database, WAL, SHM…), not in
    // her process memory.
    const needle = Buffer.from(secret, 'utf8');
    for (const file of filesUnder(c.profile)) {
      if (statSync(file).size > 512 * 1024 * 1024) continue;
      expect(readFileSync(file).includes(needle), file).toBe(false);
    }
    const searched = searchMemory(c.process.pid!, needle);
    expect(searched).toBeGreaterThan(10 * 1024 * 1024);
    // The same searches do find it where it is: in bob's memory and in bob's database files.
    expect(() => searchMemory(b.process.pid!, needle)).toThrow(/found the plaintext/);
    expect(filesUnder(b.profile).some((file) => readFileSync(file).includes(needle))).toBe(true);

    // bob leaves again; alice returns and meets only carol, who brings bob's signed receipt.
    b.process.send('/quit');
    await b.process.waitForExit(10_000);
    expect(eventsOfType(b, 'message').filter((e) => e.id === sent.id)).toHaveLength(1);
    a = fleet.start(network, 'h1', { nick: 'alice', profile: a.profile });
    const delivered = await a.process.waitFor((e) => e.type === 'delivered' && e.id === sent.id, MEET_MS, {
      what: 'alice learns it was delivered',
    });
    expect(delivered.via).toBe('relay');
    // Headless bob marked it read when it printed it: that receipt came back through carol too.
    await a.process.waitFor((e) => e.type === 'read' && e.id === sent.id, 5_000, { what: 'read via carol' });
    a.process.send('/outbox');
    const after = await a.process.waitFor((e) => e.type === 'outbox', 5_000);
    expect(after.messages).toMatchObject([{ id: sent.id, state: 'read', via: 'relay' }]);
  }, 120_000);
});
