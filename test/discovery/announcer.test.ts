// RFC 6762 §8.3 announcing, §8.4 re-announcing on change, §10.1 goodbye.
import { describe, expect, it } from 'vitest';
import { fakeInterface } from './fake-wire.js';
import { MdnsKit } from './mdns-kit.js';

const PROBED_AT = 875; // 125 ms initial delay + 3 probes 250 ms apart

function responses(kit: MdnsKit, from: string, since = 0) {
  return kit.wire.from(from, since).filter((p) => p.packet.kind === 'response');
}

describe('announcing (§8.3)', () => {
  it('sends two unsolicited responses 1 s apart, unique records with cache-flush, right TTLs', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    await kit.clock.advance(5000);
    const sent = responses(kit, a.address);
    expect(sent.map((p) => p.at)).toEqual([PROBED_AT, PROBED_AT + 1000]);
    const answers = sent[0]!.decoded.answers ?? [];
    const byType = Object.fromEntries(answers.map((r) => [`${r.name}|${r.type}`, r]));
    const host = answers.find((r) => r.type === 'A')!.name;
    expect(host).toMatch(/^lanchat-[0-9a-f]{8}\.local$/);
    expect(byType['_lanchat._tcp.local|PTR']).toMatchObject({
      ttl: 4500,
      flush: false,
      data: 'alice._lanchat._tcp.local',
    });
    expect(byType['_services._dns-sd._udp.local|PTR']).toMatchObject({ ttl: 4500, flush: false });
    expect(byType['alice._lanchat._tcp.local|SRV']).toMatchObject({
      ttl: 120,
      flush: true,
      data: { port: 7475, target: host },
    });
    expect(byType['alice._lanchat._tcp.local|TXT']).toMatchObject({ ttl: 4500, flush: true });
    expect(byType[`${host}|A`]).toMatchObject({ ttl: 120, flush: true, data: '10.0.0.1' });
    expect(a.events).toContainEqual({ type: 'announced', nick: 'alice' });
  });

  it('does not repeat announcements as a heartbeat', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    await kit.clock.advance(10 * 60_000);
    expect(responses(kit, a.address)).toHaveLength(2);
  });

  it('re-announces (twice, cache-flush) when the port changes (§8.4)', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    await kit.clock.advance(5000);
    a.discovery.update({ port: 9000 });
    await kit.clock.advance(5000);
    const again = responses(kit, a.address, 5000);
    expect(again.map((p) => p.at)).toEqual([5000, 6000]);
    const srv = again[0]!.decoded.answers!.find((r) => r.type === 'SRV')!;
    expect(srv).toMatchObject({ flush: true, data: { port: 9000 } });
  });

  it('re-announces when an interface address changes (§8.4)', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice', { extra: { pollIntervalMs: 3000 } });
    await kit.clock.advance(5000);
    a.interfaces[0] = fakeInterface('eth0', '10.0.0.7');
    await kit.clock.advance(5000);
    const again = responses(kit, '10.0.0.7', 5000);
    expect(again).toHaveLength(2);
    expect(again[0]!.decoded.answers!.find((r) => r.type === 'A')).toMatchObject({
      data: '10.0.0.7',
      flush: true,
    });
  });

  it('a nick change probes the new name, announces it, then says goodbye to the old name', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    await kit.clock.advance(5000);
    a.discovery.update({ nick: 'alicia' });
    await kit.clock.advance(5000);
    const later = kit.wire.from(a.address, 5000);
    const probes = later.filter((p) => p.packet.kind === 'query' && p.packet.authorities.length > 0);
    expect(probes).toHaveLength(3);
    const names = (p: (typeof later)[number]) => (p.decoded.answers ?? []).map((r) => r.name);
    const announce = later.findIndex((p) => names(p).includes('alicia._lanchat._tcp.local'));
    const goodbye = later.findIndex((p) => names(p).includes('alice._lanchat._tcp.local'));
    // Goodbye right after the new name's first announcement (§10.1), so that peers see an update.
    expect(announce).toBeGreaterThan(later.indexOf(probes[2]!));
    expect(goodbye).toBe(announce + 1);
    const bye = later[goodbye]!.decoded.answers!;
    expect(bye.every((r) => (r as { ttl?: number }).ttl === 0)).toBe(true);
    expect(bye.map((r) => r.type).sort()).toEqual(['PTR', 'SRV', 'TXT']);
    expect(a.events).toContainEqual({ type: 'announced', nick: 'alicia' });
  });

  it('a nick changed and then stopped before the new name is announced still withdraws the old one', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    await kit.clock.advance(5000);
    a.discovery.update({ nick: 'alicia' });
    await kit.clock.advance(300);
    await a.discovery.stop();
    const bye = responses(kit, a.address, 5000).flatMap((p) => p.decoded.answers ?? []);
    expect(bye.map((r) => `${r.name}|${r.type}|${(r as { ttl?: number }).ttl}`).sort()).toEqual([
      '_lanchat._tcp.local|PTR|0',
      'alice._lanchat._tcp.local|SRV|0',
      'alice._lanchat._tcp.local|TXT|0',
    ]);
  });
});

describe('goodbye (§10.1)', () => {
  it('stop() sends every record with TTL 0 and resolves once it is sent', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    await kit.clock.advance(5000);
    await a.discovery.stop();
    const last = kit.wire.from(a.address).at(-1)!;
    expect(last.at).toBe(5000);
    expect(last.decoded.answers!.length).toBeGreaterThanOrEqual(5);
    expect(last.decoded.answers!.every((r) => (r as { ttl?: number }).ttl === 0)).toBe(true);
    await a.discovery.stop(); // idempotent
    expect(kit.wire.from(a.address, 5000)).toHaveLength(1);
  });

  it('a peer receiving the goodbye drops us at once, reason goodbye', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    const b = await kit.node('10.0.0.2', 'bob');
    await kit.clock.advance(5000);
    expect(b.discovery.peers().map((p) => p.nick)).toEqual(['alice']);
    await a.discovery.stop();
    await kit.clock.advance(1);
    expect(b.discovery.peers()).toHaveLength(0);
    expect(b.events.at(-1)).toEqual({
      type: 'down',
      publicKey: Buffer.from(a.local.publicKey).toString('base64'),
      reason: 'goodbye',
    });
  });

  it('nothing is sent before start finished probing and stop says no goodbye for unannounced names', async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'alice');
    await kit.clock.advance(300);
    await a.discovery.stop();
    expect(responses(kit, a.address)).toHaveLength(0);
  });
});
