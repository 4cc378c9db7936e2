// The newcomer's one-shot query (RFC 6762 §5.1): answered at once by unicast to its ephemeral
// port (§6.7), so a joiner has its peers before its first browse and nobody else hears the
// answers; the regular browse still runs and refreshes them with their full TTLs.
import { describe, expect, it } from 'vitest';
import { MdnsKit, peerResponse } from './mdns-kit.js';

const SERVICE = '_lanchat._tcp.local';

async function settledLan(kit: MdnsKit, n: number) {
  const nodes = [];
  for (let i = 1; i <= n; i++) nodes.push(await kit.node(`10.0.0.${i}`, `node${i}`));
  // Probed, announced, all seen each other; their browses at 1, 2 and 6 s are over, the next is at 14 s.
  await kit.clock.advance(8_000);
  for (const x of nodes) expect(x.events.filter((e) => e.type === 'up')).toHaveLength(n - 1);
  return nodes;
}

/** A host's browse queries (from port 5353, asking for our service), oldest first. */
function browses(kit: MdnsKit, address: string) {
  return kit.wire.sent.filter(
    (p) =>
      p.from === address &&
      p.fromPort === 5353 &&
      p.packet.kind === 'query' &&
      p.packet.questions.some((q) => q.name === SERVICE && q.type === 'PTR'),
  );
}

describe('one-shot query at start', () => {
  it('finds every peer from their unicast answers, before the first browse', async () => {
    const kit = new MdnsKit();
    const settled = await settledLan(kit, 4);
    const since = kit.clock.now();
    const joiner = await kit.node('10.0.0.50', 'joiner');
    await kit.clock.advance(10); // random() is 0.5: the first browse would be at +70 ms
    expect(joiner.events.filter((e) => e.type === 'up')).toHaveLength(4);

    const sent = kit.wire.sent.filter((p) => p.at >= since);
    const oneShot = sent.find((p) => p.from === joiner.address && p.fromPort !== 5353);
    expect(oneShot?.packet.questions).toEqual([{ name: SERVICE, type: 'PTR', unicastResponse: false }]);
    const answers = sent.filter((p) => p.packet.kind === 'response' && p.from !== joiner.address);
    expect(answers).toHaveLength(4);
    for (const a of answers) {
      // Straight back to the one-shot socket (no multicast the LAN has to process), as §6.7 says:
      // the question and id echoed, TTLs of at most 10 s, no cache-flush bit.
      expect(a.to).toEqual({ address: joiner.address, port: oneShot?.fromPort });
      expect(a.packet.id).toBe(oneShot?.packet.id);
      expect(a.packet.questions).toEqual(oneShot?.packet.questions);
      for (const r of [...a.packet.answers, ...a.packet.additionals]) {
        expect(r.ttl).toBeLessThanOrEqual(10);
        expect(r.flush).toBe(false);
      }
    }
    // The settled nodes heard the query but none of the answers: nothing changed for them.
    for (const x of settled) expect(x.events.filter((e) => e.type === 'up')).toHaveLength(3);
  });

  it('keeps the peers past the 10 s of the unicast answers: the browse refreshes them', async () => {
    const kit = new MdnsKit();
    await settledLan(kit, 3);
    const joiner = await kit.node('10.0.0.50', 'joiner');
    await kit.clock.advance(30_000);
    expect(joiner.events.filter((e) => e.type === 'up')).toHaveLength(3);
    expect(joiner.events.filter((e) => e.type === 'down')).toEqual([]);
  });

  it('a one-shot query from another host neither stands in for our browse nor counts against our cache', async () => {
    const kit = new MdnsKit();
    const [a, b] = await settledLan(kit, 2);
    // Either host's browse may stand in for the other's (§7.3, a multicast query): count both.
    const browsesBefore = () =>
      kit.wire.sent.filter(
        (p) =>
          (p.from === a!.address || p.from === b!.address) &&
          p.fromPort === 5353 &&
          p.packet.kind === 'query',
      ).length;
    const before = browsesBefore();
    // §7.3 would let a multicast query with the same question stand in for ours; a one-shot
    // query's answers go to its sender alone, so it must not. Inject many (POOF, §10.5).
    for (let i = 0; i < 5; i++) {
      kit.inject(
        { type: 'query', id: 7, questions: [{ name: SERVICE, type: 'PTR' }] },
        { address: '10.0.0.60', port: 40_000 + i },
      );
      await kit.clock.advance(200);
    }
    // The hosts browse in step (random() is fixed), so each one's browse stands in for the
    // other's next one (§7.3): they browse every other round.
    await kit.clock.advance(40_000);
    expect(browsesBefore()).toBeGreaterThan(before);
    expect(a!.events.filter((e) => e.type === 'down')).toEqual([]);
  });

  it('browses a second after the one-shot query, later while its answers keep coming', async () => {
    const lonely = new MdnsKit();
    const alone = await lonely.node('10.0.0.50', 'alone');
    await lonely.clock.advance(2_000);
    // Unanswered (nobody there, or a firewall that admits only port 5353): 1 s + 20–120 ms.
    expect(browses(lonely, alone.address)[0]?.at).toBe(1070);

    const kit = new MdnsKit();
    await settledLan(kit, 2);
    const start = kit.clock.now();
    const joiner = await kit.node('10.0.0.50', 'joiner');
    await kit.clock.advance(3_000);
    const first = browses(kit, joiner.address)[0]!.at - start;
    expect(first).toBeGreaterThanOrEqual(1_000);
    expect(first).toBeLessThanOrEqual(1_120);
  });

  it('behind a firewall that drops the unicast answers, a joiner finds its peers by browsing about 2 s after start', async () => {
    const kit = new MdnsKit();
    await settledLan(kit, 3);
    kit.wire.dropUnicast = (to) => to.address === '10.0.0.50' && to.port !== 5353;
    const start = kit.clock.now();
    const joiner = await kit.node('10.0.0.50', 'joiner');
    await kit.clock.advance(1_000);
    expect(joiner.events.filter((e) => e.type === 'up')).toHaveLength(0);
    await kit.clock.advance(1_500);
    expect(joiner.events.filter((e) => e.type === 'up')).toHaveLength(3);
    expect(kit.clock.now() - start).toBeLessThanOrEqual(2_500);
  });

  it('answers trickling in (a busy floor) push the first browse back, to 3 s at most, and it lists them', async () => {
    const kit = new MdnsKit();
    const joiner = await kit.node('10.0.0.50', 'joiner');
    const oneShot = kit.wire.sent.find((p) => p.from === joiner.address && p.fromPort !== 5353)!;
    const to = { address: joiner.address, port: oneShot.fromPort };
    for (let i = 0; i < 6; i++) {
      await kit.clock.advance(500);
      const answer = peerResponse({ nick: `late${i}`, key: 20 + i, address: `10.0.0.${20 + i}` });
      kit.inject({ ...answer, id: oneShot.packet.id }, { address: `10.0.0.${20 + i}`, port: 5353 }, to);
    }
    await kit.clock.advance(2_000);
    const first = browses(kit, joiner.address)[0]!;
    expect(first.at).toBe(3_000);
    const known = first.packet.answers.filter((r) => r.type === 'PTR').map((r) => r.data);
    // Every answer that arrived before it (5 by 2.5 s; the sixth came at 3 s) is a known answer.
    for (let i = 0; i < 5; i++) expect(known).toContain(`late${i}._lanchat._tcp.local`);
  });

  it('does not bring back a peer that said goodbye when a late answer to the one-shot query arrives', async () => {
    const kit = new MdnsKit();
    const [leaver] = await settledLan(kit, 1);
    const since = kit.clock.now();
    const joiner = await kit.node('10.0.0.50', 'joiner');
    await kit.clock.advance(10);
    expect(joiner.events.filter((e) => e.type === 'up')).toHaveLength(1);
    const answer = kit.wire.sent.find(
      (p) => p.at >= since && p.from === leaver!.address && p.to !== 'multicast',
    );
    await leaver!.discovery.stop(); // goodbyes
    await kit.clock.advance(10);
    expect(joiner.events.map((e) => e.type)).toEqual(['up', 'down']);
    // The same answer again, late (it took the long way, over the other address family, say).
    kit.inject(
      answer!.bytes,
      { address: leaver!.address, port: 5353 },
      answer!.to as { address: string; port: number },
    );
    await kit.clock.advance(3_000);
    expect(joiner.events.map((e) => e.type).filter((t) => t === 'up' || t === 'down')).toEqual([
      'up',
      'down',
    ]);
  });

  it("caches the answers with their multicast TTLs, so the joiner's first browse draws no answers", async () => {
    // Before: the 10 s TTLs of the unicast answers were cached as they came, were worthless as
    // known answers (§7.1 wants at least half the true TTL), and every peer answered the joiner's
    // first browse by multicast, which every peer then processed: O(N²) work per arrival.
    const kit = new MdnsKit();
    const settled = await settledLan(kit, 5);
    const joiner = await kit.node('10.0.0.50', 'joiner');
    await kit.clock.advance(1_500); // the postponed first browse is out, and any answers to it
    const browse = browses(kit, joiner.address)[0];
    expect(browse).toBeDefined();
    const known = browse!.packet.answers.filter((r) => r.type === 'PTR' && r.name === SERVICE);
    expect(known.length).toBeGreaterThanOrEqual(5);
    for (const r of known) expect(r.ttl).toBeGreaterThan(4500 / 2);
    const answersToIt = kit.wire.sent.filter(
      (p) =>
        p.at > browse!.at &&
        p.packet.kind === 'response' &&
        p.to === 'multicast' &&
        settled.some((x) => x.address === p.from),
    );
    expect(answersToIt).toEqual([]);
  });
});
