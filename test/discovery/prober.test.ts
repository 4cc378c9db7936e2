// RFC 6762 §8.1 probing, §8.2 tie-break, §9 conflict and rename.
import { describe, expect, it } from 'vitest';
import { MdnsKit, typesOf } from './mdns-kit.js';

const INSTANCE = 'alice._lanchat._tcp.local';

function probes(kit: MdnsKit, from: string) {
  return kit.wire.from(from).filter((p) => p.packet.kind === 'query' && p.packet.authorities.length > 0);
}

describe('probing (§8.1)', () => {
  it('waits 0–250 ms, then sends 3 probes 250 ms apart with our records in the authority section', async () => {
    const kit = new MdnsKit();
    kit.random = () => 0.5; // initial delay = 125 ms
    const a = await kit.node('10.0.0.1', 'alice');
    await kit.clock.advance(124);
    expect(probes(kit, a.address)).toHaveLength(0);
    await kit.clock.advance(1000);
    const sent = probes(kit, a.address);
    expect(sent.map((p) => p.at)).toEqual([125, 375, 625]);
    const probe = sent[0]!.packet;
    expect(probe.questions.map((q) => [q.name, q.type])).toEqual([
      [INSTANCE, 'ANY'],
      [expect.stringMatching(/^lanchat-[0-9a-f]{8}\.local$/), 'ANY'],
    ]);
    expect(probe.authorities.map((r) => r.type).sort()).toEqual(['A', 'SRV', 'TXT']);
    // No answers while probing: the name is not ours yet.
    expect(kit.wire.from(a.address).filter((p) => p.packet.kind === 'response' && p.at < 875)).toHaveLength(
      0,
    );
  });

  it('the initial delay spans 0–250 ms', async () => {
    for (const [r, at] of [
      [0, 0],
      [0.999, 250],
    ] as const) {
      const kit = new MdnsKit();
      kit.random = () => r;
      const a = await kit.node('10.0.0.1', 'alice');
      await kit.clock.advance(300);
      expect(probes(kit, a.address)[0]?.at).toBe(at);
    }
  });

  it('renames to "alice (2)" on a conflicting answer and probes the new name', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    await kit.clock.advance(200); // first probe out at 125 ms
    kit.inject({
      type: 'response',
      answers: [
        {
          name: INSTANCE,
          type: 'SRV',
          ttl: 120,
          flush: true,
          data: { target: 'other.local', port: 1, priority: 0, weight: 0 },
        },
      ],
    });
    await kit.clock.advance(3000);
    expect(a.events).toContainEqual({ type: 'renamed', nick: 'alice (2)', previous: 'alice' });
    expect(a.events).toContainEqual({ type: 'announced', nick: 'alice (2)' });
    const later = probes(kit, a.address).filter((p) => p.at > 200);
    expect(later).toHaveLength(3);
    expect(later[0]!.packet.questions[0]!.name).toBe('alice (2)._lanchat._tcp.local');
    expect(a.discovery.nick).toBe('alice (2)');
  });

  it('renames after announcing when another host answers with our name (§9)', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    await kit.clock.advance(3000);
    expect(typesOf(a.events)).toContain('announced');
    kit.inject({
      type: 'response',
      answers: [{ name: INSTANCE, type: 'TXT', ttl: 4500, flush: true, data: ['v=1'] }],
    });
    await kit.clock.advance(3000);
    expect(a.events).toContainEqual({ type: 'renamed', nick: 'alice (2)', previous: 'alice' });
  });

  it('after 15 conflicts in 10 s waits 5 s before probing again', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'x');
    const conflictAll = () => {
      for (const p of probes(kit, a.address).slice(-1)) {
        kit.inject({
          type: 'response',
          answers: [
            { name: p.packet.questions[0]!.name, type: 'TXT', ttl: 4500, flush: true, data: ['v=9'] },
          ],
        });
      }
    };
    for (let i = 0; i < 15; i++) {
      await kit.clock.advance(130);
      conflictAll();
      await kit.clock.advance(1);
    }
    const last = kit.clock.now();
    expect(a.events.filter((e) => e.type === 'renamed')).toHaveLength(15);
    await kit.clock.advance(4800);
    expect(probes(kit, a.address).filter((p) => p.at > last)).toHaveLength(0);
    await kit.clock.advance(400);
    expect(probes(kit, a.address).filter((p) => p.at > last)).toHaveLength(1);
  });
});

describe('simultaneous probe tie-break (§8.2)', () => {
  // Sorted by type, TXT (16) comes before SRV (33), so the TXT rdata decides: 'zzz' sorts after
  // our 'v=1 …', 'aaa' before it.
  const theirProbe = (txt: string) => ({
    type: 'query' as const,
    questions: [{ name: INSTANCE, type: 'ANY' as const }],
    authorities: [
      {
        name: INSTANCE,
        type: 'SRV' as const,
        ttl: 120,
        flush: true,
        data: { target: 'zz.local', port: 1, priority: 0, weight: 0 },
      },
      { name: INSTANCE, type: 'TXT' as const, ttl: 4500, flush: true, data: [txt] },
    ],
  });

  it('the lexicographically earlier host defers 1 s and starts probing again', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    await kit.clock.advance(130); // probe 1 at 125
    kit.inject(theirProbe('zzz'));
    await kit.clock.advance(1);
    await kit.clock.advance(5000);
    const times = probes(kit, a.address).map((p) => p.at);
    expect(times).toEqual([125, 1130, 1380, 1630]);
  });

  it('the later host carries on', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    await kit.clock.advance(130);
    kit.inject(theirProbe('aaa'));
    await kit.clock.advance(5000);
    expect(probes(kit, a.address).map((p) => p.at)).toEqual([125, 375, 625]);
  });

  it('two real responders started as "alice" end up as alice and alice (2)', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    const b = await kit.node('10.0.0.2', 'alice');
    await kit.clock.advance(10_000);
    const nicks = [a.discovery.nick, b.discovery.nick].sort();
    expect(nicks).toEqual(['alice', 'alice (2)']);
    const renames = [...a.events, ...b.events].filter((e) => e.type === 'renamed');
    expect(renames).toEqual([{ type: 'renamed', nick: 'alice (2)', previous: 'alice' }]);
    expect(a.discovery.peers().map((p) => p.nick)).toEqual([b.discovery.nick]);
    expect(b.discovery.peers().map((p) => p.nick)).toEqual([a.discovery.nick]);
  });
});
