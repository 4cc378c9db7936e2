// RFC 6762 §6 responding, §6.7 legacy unicast, §7.1 known-answer suppression, §11 source check.
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { MAX_TRUNCATED } from '../../src/discovery/responder.js';
import { FOREIGN, MdnsKit } from './mdns-kit.js';

const SERVICE = '_lanchat._tcp.local';
const INSTANCE = 'alice._lanchat._tcp.local';
const READY_AT = 3000; // probed at 875, announced at 875 and 1875

async function announcedNode(kit: MdnsKit) {
  const a = await kit.node('10.0.0.1', 'alice');
  await kit.clock.advance(READY_AT);
  return a;
}

function responsesSince(kit: MdnsKit, from: string, since: number) {
  return kit.wire.from(from, since).filter((p) => p.packet.kind === 'response');
}

describe('responding (§6)', () => {
  it('answers a PTR question after a random 20–120 ms, with SRV, TXT and A as additionals', async () => {
    for (const [r, delay] of [
      [0, 20],
      [0.999, 120],
    ] as const) {
      const kit = new MdnsKit();
      const a = await announcedNode(kit);
      kit.random = () => r;
      kit.inject({ type: 'query', questions: [{ name: SERVICE, type: 'PTR' }] });
      await kit.clock.advance(delay - 1);
      expect(responsesSince(kit, a.address, READY_AT)).toHaveLength(0);
      await kit.clock.advance(1);
      const [resp] = responsesSince(kit, a.address, READY_AT);
      expect(resp?.at).toBe(READY_AT + delay);
      expect(resp!.decoded.answers!.map((x) => x.type)).toEqual(['PTR']);
      expect(resp!.decoded.additionals!.map((x) => x.type).sort()).toEqual(['A', 'SRV', 'TXT']);
    }
  });

  it('answers questions for unique records at once', async () => {
    const kit = new MdnsKit();
    const a = await announcedNode(kit);
    kit.inject({ type: 'query', questions: [{ name: INSTANCE, type: 'SRV' }] });
    await kit.clock.advance(0);
    const [resp] = responsesSince(kit, a.address, READY_AT);
    expect(resp?.at).toBe(READY_AT);
    expect(resp!.decoded.answers!.map((x) => x.type)).toEqual(['SRV']);
    expect(resp!.decoded.additionals!.map((x) => x.type)).toEqual(['A']);
  });

  it('aggregates answers to several queries within the delay into one packet', async () => {
    const kit = new MdnsKit();
    const a = await announcedNode(kit);
    kit.random = () => 0.999;
    kit.inject({ type: 'query', questions: [{ name: SERVICE, type: 'PTR' }] });
    await kit.clock.advance(10);
    kit.inject(
      { type: 'query', questions: [{ name: '_services._dns-sd._udp.local', type: 'PTR' }] },
      { address: '10.0.0.98', port: 5353 },
    );
    await kit.clock.advance(500);
    const sent = responsesSince(kit, a.address, READY_AT);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.decoded.answers!.map((x) => x.name).sort()).toEqual([
      SERVICE,
      '_services._dns-sd._udp.local',
    ]);
  });

  it('multicasts a record at most once per second per interface', async () => {
    const kit = new MdnsKit();
    const a = await announcedNode(kit);
    const ask = () => kit.inject({ type: 'query', questions: [{ name: INSTANCE, type: 'SRV' }] });
    ask();
    await kit.clock.advance(500);
    ask();
    await kit.clock.advance(400);
    expect(responsesSince(kit, a.address, READY_AT)).toHaveLength(1);
    await kit.clock.advance(100); // 1000 ms after the first answer
    ask();
    await kit.clock.advance(10);
    expect(responsesSince(kit, a.address, READY_AT).map((p) => p.at)).toEqual([READY_AT, READY_AT + 1000]);
  });

  it('known-answer suppression (§7.1): no answer if the querier holds our record with ≥ half its TTL', async () => {
    const kit = new MdnsKit();
    const a = await announcedNode(kit);
    const ptr = (ttl: number) => ({ name: SERVICE, type: 'PTR' as const, ttl, data: INSTANCE });
    kit.inject({ type: 'query', questions: [{ name: SERVICE, type: 'PTR' }], answers: [ptr(2250)] });
    await kit.clock.advance(2000);
    expect(responsesSince(kit, a.address, READY_AT)).toHaveLength(0);
    kit.inject({ type: 'query', questions: [{ name: SERVICE, type: 'PTR' }], answers: [ptr(2249)] });
    await kit.clock.advance(200);
    expect(responsesSince(kit, a.address, READY_AT)).toHaveLength(1);
  });

  it('multi-packet known answers (§7.2): a truncated query is answered 400–500 ms later, unless a following packet from the same host lists us', async () => {
    const ptr = (label: string) => ({
      name: SERVICE,
      type: 'PTR' as const,
      ttl: 4500,
      data: `${label}._lanchat._tcp.local`,
    });
    const others = Array.from({ length: 40 }, (_, i) => ptr(`user${i}`));
    const question = [{ name: SERVICE, type: 'PTR' as const }];
    const TC = 1 << 9;
    for (const [r, delay] of [
      [0, 400],
      [0.999, 500],
    ] as const) {
      // Listed in the second packet: no answer at all.
      const kit = new MdnsKit();
      const a = await announcedNode(kit);
      kit.random = () => r;
      kit.inject({ type: 'query', flags: TC, questions: question, answers: others });
      await kit.clock.advance(30);
      kit.inject({ type: 'query', answers: [...others, ptr('alice')] });
      await kit.clock.advance(1000);
      expect(responsesSince(kit, a.address, READY_AT)).toHaveLength(0);

      // Not listed in any packet: answered, but only after the §7.2 wait, not 20–120 ms.
      const kit2 = new MdnsKit();
      const b = await announcedNode(kit2);
      kit2.random = () => r;
      kit2.inject({ type: 'query', flags: TC, questions: question, answers: others });
      await kit2.clock.advance(30);
      kit2.inject({ type: 'query', answers: others });
      await kit2.clock.advance(delay - 31);
      expect(responsesSince(kit2, b.address, READY_AT)).toHaveLength(0);
      await kit2.clock.advance(1);
      const [resp] = responsesSince(kit2, b.address, READY_AT);
      expect(resp?.at).toBe(READY_AT + delay);
      expect(resp!.packet.answers.map((x) => x.type === 'PTR' && x.data)).toEqual([INSTANCE]);
    }
  });

  it('§7.2: known answers from another host do not stand in for the truncated query’s own', async () => {
    const kit = new MdnsKit();
    const a = await announcedNode(kit);
    const mine = { name: SERVICE, type: 'PTR' as const, ttl: 4500, data: INSTANCE };
    kit.inject({ type: 'query', flags: 1 << 9, questions: [{ name: SERVICE, type: 'PTR' }], answers: [] });
    kit.inject({ type: 'query', answers: [mine] }, { address: '10.0.0.98', port: 5353 });
    await kit.clock.advance(600);
    expect(responsesSince(kit, a.address, READY_AT)).toHaveLength(1);
  });

  it('§7.2 under a flood: at most MAX_TRUNCATED hosts are held; past that a truncated query is answered as usual', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice', { prefixLength: 16 }); // room for 1,025 hosts
    await kit.clock.advance(READY_AT);
    kit.random = () => 0.999; // shared answers at +120 ms, held ones at +500 ms
    const truncatedBrowse = { type: 'query', flags: 1 << 9, questions: [{ name: SERVICE, type: 'PTR' }] };
    const host = (i: number) => ({ address: `10.0.${1 + (i >> 8)}.${i & 255}`, port: 5353 });
    // A flood of truncated queries, each from another source address (spoofed, on a LAN).
    for (let i = 0; i < MAX_TRUNCATED; i++) kit.inject(truncatedBrowse, host(i));
    await kit.clock.advance(130);
    expect(responsesSince(kit, a.address, READY_AT)).toHaveLength(0); // every one held for §7.2
    // One host more is not held (no memory for it): answered after the usual 20–120 ms.
    const t = READY_AT + 130;
    kit.inject(truncatedBrowse, host(MAX_TRUNCATED));
    await kit.clock.advance(130);
    expect(responsesSince(kit, a.address, READY_AT).map((p) => p.at)).toEqual([t + 120]);
    // The held ones are let go when their wait ends (our PTR already went out: nothing more to
    // send within a second), and the table is empty again: a new truncated query is held.
    await kit.clock.advance(1_500);
    const t2 = READY_AT + 1_760;
    kit.inject(truncatedBrowse, host(MAX_TRUNCATED + 1));
    await kit.clock.advance(130);
    expect(responsesSince(kit, a.address, t2)).toHaveLength(0);
    await kit.clock.advance(400);
    expect(responsesSince(kit, a.address, t2).map((p) => p.at)).toEqual([t2 + 500]);
  });

  it('handles QU questions (class with the top bit, UNKNOWN_32769 in dns-packet) like QM', async () => {
    const kit = new MdnsKit();
    const a = await announcedNode(kit);
    const bytes = dnsPacket.encode({ type: 'query', questions: [{ name: INSTANCE, type: 'TXT' }] });
    bytes.writeUInt16BE(0x8001, bytes.length - 2); // the question's class field: IN | QU
    expect(dnsPacket.decode(bytes).questions![0]!.class).toBe('UNKNOWN_32769');
    kit.wire.inject(bytes, FOREIGN);
    await kit.clock.advance(0);
    const [resp] = responsesSince(kit, a.address, READY_AT);
    expect(resp?.to).toBe('multicast');
    expect(resp!.decoded.answers!.map((x) => x.type)).toEqual(['TXT']);
  });

  it("answering a host's one-shot query by unicast stands in for a multicast answer to its browse for 2 s", async () => {
    const kit = new MdnsKit();
    const a = await announcedNode(kit);
    const browse = { type: 'query', questions: [{ name: SERVICE, type: 'PTR' }] };
    const joiner = { address: '10.0.0.9', port: 5353 };
    kit.inject({ ...browse, id: 7 }, { address: joiner.address, port: 40_000 });
    await kit.clock.advance(10);
    expect(responsesSince(kit, a.address, READY_AT).map((p) => p.to)).toEqual([
      { address: joiner.address, port: 40_000 },
    ]);
    await kit.clock.advance(1_000); // the joiner browses a second after its one-shot query
    const multicastPtr = (since: number) =>
      responsesSince(kit, a.address, since).filter(
        (p) => p.to === 'multicast' && p.packet.answers.some((r) => r.type === 'PTR'),
      );
    let since = kit.clock.now();
    kit.inject(browse, joiner);
    await kit.clock.advance(200);
    expect(multicastPtr(since)).toHaveLength(0);
    // Another host's browse is answered as usual (control).
    since = kit.clock.now();
    kit.inject(browse, { address: '10.0.0.8', port: 5353 });
    await kit.clock.advance(200);
    expect(multicastPtr(since)).toHaveLength(1);
    // Past 2 s the joiner evidently lacks it (a firewall ate the unicast): answered.
    await kit.clock.advance(1_000);
    since = kit.clock.now();
    kit.inject(browse, joiner);
    await kit.clock.advance(200);
    expect(multicastPtr(since)).toHaveLength(1);
  });

  it('legacy unicast (§6.7): a query from port ≠ 5353 gets a direct reply, id and question echoed, TTL ≤ 10, no cache-flush', async () => {
    const kit = new MdnsKit();
    const a = await announcedNode(kit);
    const from = { address: '10.0.0.50', port: 40000 };
    kit.inject({ type: 'query', id: 4242, questions: [{ name: INSTANCE, type: 'SRV' }] }, from);
    await kit.clock.advance(0);
    const [resp] = responsesSince(kit, a.address, READY_AT);
    expect(resp?.to).toEqual(from);
    expect(resp!.decoded.id).toBe(4242);
    expect(resp!.decoded.questions).toEqual([{ name: INSTANCE, type: 'SRV', class: 'IN' }]);
    for (const r of [...resp!.decoded.answers!, ...resp!.decoded.additionals!]) {
      expect(r).toMatchObject({ flush: false });
      expect((r as { ttl: number }).ttl).toBeLessThanOrEqual(10);
    }
  });

  it('defends its name against a probe at once, even within the 1 s window (250 ms minimum)', async () => {
    const kit = new MdnsKit();
    const a = await announcedNode(kit);
    kit.inject({ type: 'query', questions: [{ name: INSTANCE, type: 'SRV' }] });
    await kit.clock.advance(300);
    kit.inject({
      type: 'query',
      questions: [{ name: INSTANCE, type: 'ANY' }],
      authorities: [{ name: INSTANCE, type: 'TXT', ttl: 4500, data: ['x=1'] }],
    });
    await kit.clock.advance(0);
    expect(responsesSince(kit, a.address, READY_AT).map((p) => p.at)).toEqual([READY_AT, READY_AT + 300]);
  });

  it('does not answer its own probe read after probing ended (a busy host reads its echo late)', async () => {
    // At 9:00 on a floor of 100 a host read the loopback copy of its last probe after it had
    // announced, took it for another host's probe of its names, and multicast SRV, TXT and
    // addresses to the whole floor on each family: ≈ 1 in 8 of the start's datagrams.
    const kit = new MdnsKit();
    const a = await announcedNode(kit);
    const probes = kit.wire.from(a.address).filter((p) => (p.decoded.authorities ?? []).length > 0);
    expect(probes).toHaveLength(3);
    for (const probe of probes) kit.inject(probe.bytes, { address: a.address, port: 5353 });
    // The same proposal from another address (a twin with identical data, §8.2: no conflict).
    kit.inject(probes[2]!.bytes, { address: '10.0.0.77', port: 5353 });
    await kit.clock.advance(1_000);
    expect(responsesSince(kit, a.address, READY_AT)).toHaveLength(0);
    // A probe proposing other data for its name is still defended at once.
    kit.inject({
      type: 'query',
      questions: [{ name: INSTANCE, type: 'ANY' }],
      authorities: [{ name: INSTANCE, type: 'TXT', ttl: 4500, data: ['x=1'] }],
    });
    await kit.clock.advance(0);
    expect(responsesSince(kit, a.address, READY_AT)).toHaveLength(1);
  });

  it('a host on the LAN replaying its probes for a minute makes it send nothing and change nothing', async () => {
    // What the silence above gives an attacker: a replayed probe (or one proposing a subset of our
    // records) proposes nothing that conflicts (§8.2), so it wins it no name, and each one it sends
    // no longer buys a multicast answer to the whole segment (it did before: the defence).
    const kit = new MdnsKit();
    const a = await announcedNode(kit);
    const probes = kit.wire.from(a.address).filter((p) => (p.decoded.authorities ?? []).length > 0);
    const attacker = { address: '10.0.0.66', port: 5353 };
    const srvOnly = {
      type: 'query',
      questions: [{ name: INSTANCE, type: 'ANY' }],
      authorities: (probes[0]!.decoded.authorities ?? []).filter((r) => r.type === 'SRV'),
    };
    expect(srvOnly.authorities).toHaveLength(1);
    for (let i = 0; i < 200; i++) {
      kit.inject(i % 4 === 3 ? srvOnly : probes[i % 3]!.bytes, attacker);
      await kit.clock.advance(300);
    }
    expect(responsesSince(kit, a.address, READY_AT)).toHaveLength(0);
    expect(a.events.filter((e) => e.type === 'renamed')).toEqual([]);
    // Still itself and still answering: a question for its SRV is answered under its own name.
    const asked = kit.clock.now();
    kit.inject({ type: 'query', questions: [{ name: INSTANCE, type: 'SRV' }] });
    await kit.clock.advance(10);
    const [answer] = responsesSince(kit, a.address, asked);
    expect(answer?.decoded.answers?.map((r) => `${r.name} ${r.type}`)).toContain(`${INSTANCE} SRV`);
  });

  it('ignores queries from a source outside the interface subnets (§11)', async () => {
    const kit = new MdnsKit();
    const a = await announcedNode(kit);
    kit.inject(
      { type: 'query', questions: [{ name: INSTANCE, type: 'SRV' }] },
      { address: '192.168.7.7', port: 5353 },
    );
    kit.inject(
      { type: 'query', questions: [{ name: INSTANCE, type: 'TXT' }] },
      { address: '10.0.1.7', port: 5353 },
    );
    await kit.clock.advance(500);
    expect(responsesSince(kit, a.address, READY_AT)).toHaveLength(0);
    kit.inject(
      { type: 'query', questions: [{ name: INSTANCE, type: 'SRV' }] },
      { address: '10.0.0.200', port: 5353 },
    );
    await kit.clock.advance(10);
    expect(responsesSince(kit, a.address, READY_AT)).toHaveLength(1);
  });

  it('does not answer for its names while still probing', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    await kit.clock.advance(200);
    kit.inject({ type: 'query', questions: [{ name: INSTANCE, type: 'SRV' }] });
    await kit.clock.advance(100);
    expect(kit.wire.from(a.address).filter((p) => p.packet.kind === 'response')).toHaveLength(0);
  });
});
