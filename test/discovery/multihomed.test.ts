// RFC 6762 §15: a multi-homed host sends on every selected interface and answers each link with
// that interface's own addresses; the once-per-second limit is per interface.
import { describe, expect, it } from 'vitest';
import type { DiscoveryEvent } from '../../src/discovery/discovery.js';
import { MdnsDiscovery } from '../../src/discovery/mdns-discovery.js';
import type { LinkFactory } from '../../src/discovery/mdns-link.js';
import { FakeClock } from './fake-clock.js';
import { FakeWire, fakeInterface } from './fake-wire.js';
import { keyOf, NET_TAG } from './mdns-kit.js';

async function setup() {
  const clock = new FakeClock();
  const left = new FakeWire(clock);
  const right = new FakeWire(clock);
  const make = async (n: number, ifaces: { name: string; address: string; wire: FakeWire }[]) => {
    const factory: LinkFactory = (iface, family, h) => {
      const spec = ifaces.find((i) => i.name === iface.name)!;
      return spec.wire.factory(spec.address)(iface, family, h);
    };
    const d = new MdnsDiscovery({
      linkFactory: factory,
      listInterfaces: () => ifaces.map((i) => fakeInterface(i.name, i.address)),
      interfaceFacts: () => ({ virtual: false, up: true }),
      families: [4],
      clock,
      random: () => (n * 0.31) % 1,
    });
    const events: DiscoveryEvent[] = [];
    d.subscribe((e) => events.push(e));
    await d.start({ nick: `n${n}`, port: 7475, publicKey: keyOf(n), networkTag: NET_TAG });
    return { d, events };
  };
  const both = await make(1, [
    { name: 'eth0', address: '10.1.0.1', wire: left },
    { name: 'eth1', address: '10.2.0.1', wire: right },
  ]);
  const l = await make(2, [{ name: 'eth0', address: '10.1.0.2', wire: left }]);
  const r = await make(3, [{ name: 'eth0', address: '10.2.0.3', wire: right }]);
  await clock.advance(10_000);
  return { clock, left, right, both, l, r };
}

describe('multi-homed host (§15)', () => {
  it('finds peers on both links; each side sees it with that link’s address only', async () => {
    const { both, l, r } = await setup();
    expect(
      both.d
        .peers()
        .map((p) => [p.nick, p.addresses])
        .sort(),
    ).toEqual([
      ['n2', ['10.1.0.2']],
      ['n3', ['10.2.0.3']],
    ]);
    expect(l.d.peers().map((p) => [p.nick, p.addresses])).toEqual([['n1', ['10.1.0.1']]]);
    expect(r.d.peers().map((p) => [p.nick, p.addresses])).toEqual([['n1', ['10.2.0.1']]]);
    expect(both.d.interfaces().sort()).toEqual(['eth0', 'eth1']);
  });

  it('announces on every interface, each with its own A record', async () => {
    const { left, right } = await setup();
    const ann = (w: FakeWire) =>
      w.from(w === left ? '10.1.0.1' : '10.2.0.1').find((p) => p.packet.kind === 'response')!.packet;
    expect(
      ann(left)
        .answers.filter((x) => x.type === 'A')
        .map((x) => x.data),
    ).toEqual(['10.1.0.1']);
    expect(
      ann(right)
        .answers.filter((x) => x.type === 'A')
        .map((x) => x.data),
    ).toEqual(['10.2.0.1']);
  });

  it('the once-per-second limit is per interface', async () => {
    const { clock, left, right } = await setup();
    const q = { type: 'query', questions: [{ name: 'n1._lanchat._tcp.local', type: 'SRV' }] };
    const t0 = clock.now();
    left.inject(q, { address: '10.1.0.9', port: 5353 });
    right.inject(q, { address: '10.2.0.9', port: 5353 });
    await clock.advance(0);
    const answered = (w: FakeWire, a: string) =>
      w.from(a, t0).filter((p) => p.packet.kind === 'response').length;
    expect(answered(left, '10.1.0.1')).toBe(1);
    expect(answered(right, '10.2.0.1')).toBe(1);
  });

  it('a packet heard on one interface from the other link’s subnet is ignored', async () => {
    const { clock, left } = await setup();
    const t0 = clock.now();
    left.inject(
      { type: 'query', questions: [{ name: 'n1._lanchat._tcp.local', type: 'SRV' }] },
      { address: '10.2.0.9', port: 5353 },
    );
    await clock.advance(0);
    expect(left.from('10.1.0.1', t0).filter((p) => p.packet.kind === 'response')).toHaveLength(0);
  });
});
