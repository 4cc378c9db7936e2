// --peer static peers and the combined discovery that merges them with mDNS.
import { describe, expect, it } from 'vitest';
import { CombinedDiscovery } from '../../src/discovery/combined-discovery.js';
import type { DiscoveryEvent, LocalService } from '../../src/discovery/discovery.js';
import { MemoryDiscovery, MemoryDiscoveryBus } from '../../src/discovery/memory-discovery.js';
import { StaticPeers } from '../../src/discovery/static-peers.js';
import { FakeClock, flushMicrotasks } from './fake-clock.js';
import { b64, keyOf } from './mdns-kit.js';

const local: LocalService = { nick: 'me', port: 7475, publicKey: keyOf(1), networkTag: 't' };

describe('StaticPeers', () => {
  it('emits up (source static) for each --peer with its resolved addresses', async () => {
    const s = new StaticPeers([{ publicKey: keyOf(9), host: 'bob.example', port: 7000 }], {
      lookup: async () => ['192.0.2.9', '2001:db8::9'],
    });
    const events: DiscoveryEvent[] = [];
    s.subscribe((e) => events.push(e));
    await s.start(local);
    await flushMicrotasks();
    expect(events).toEqual([
      {
        type: 'up',
        peer: {
          publicKey: b64(9),
          nick: 'bob.example',
          addresses: ['192.0.2.9', '2001:db8::9'],
          port: 7000,
          source: 'static',
        },
      },
    ]);
    await s.stop();
    expect(events.at(-1)).toEqual({ type: 'down', publicKey: b64(9), reason: 'stopped' });
  });

  it('warns and retries a host name that does not resolve yet', async () => {
    const clock = new FakeClock();
    let fail = true;
    const s = new StaticPeers([{ publicKey: keyOf(9), host: 'later.example', port: 7000 }], {
      clock,
      lookup: async () => {
        if (fail) throw new Error('ENOTFOUND');
        return ['192.0.2.9'];
      },
    });
    const events: DiscoveryEvent[] = [];
    s.subscribe((e) => events.push(e));
    await s.start(local);
    await flushMicrotasks();
    expect(events[0]).toMatchObject({ type: 'warning', code: 'peer-unresolved' });
    fail = false;
    await clock.advance(30_000);
    expect(events.at(-1)).toMatchObject({ type: 'up', peer: { addresses: ['192.0.2.9'] } });
    await s.stop();
  });
});

describe('CombinedDiscovery', () => {
  it('one peer seen by two sources is one peer: up once, merged addresses, down when the last source drops it', async () => {
    const bus = new MemoryDiscoveryBus();
    const other = new MemoryDiscovery(bus, { address: '10.0.0.9' });
    const statics = new StaticPeers([{ publicKey: keyOf(9), host: 'x', port: 7475 }], {
      lookup: async () => ['192.0.2.9'],
    });
    const combined = new CombinedDiscovery([new MemoryDiscovery(bus), statics]);
    const events: DiscoveryEvent[] = [];
    combined.subscribe((e) => events.push(e));
    await combined.start(local);
    await other.start({ nick: 'bob', port: 7475, publicKey: keyOf(9), networkTag: 't' });
    await flushMicrotasks();
    expect(events.filter((e) => e.type === 'up')).toHaveLength(1);
    expect(combined.peers()).toEqual([expect.objectContaining({ publicKey: b64(9), nick: 'bob' })]);
    expect(combined.peers()[0]!.addresses.sort()).toEqual(['10.0.0.9', '192.0.2.9']);
    await other.stop();
    await flushMicrotasks();
    expect(events.some((e) => e.type === 'down')).toBe(false);
    expect(combined.peers()[0]!.addresses).toEqual(['192.0.2.9']);
    await combined.stop();
    expect(events.at(-1)).toEqual({ type: 'down', publicKey: b64(9), reason: 'stopped' });
  });

  it('starts its parts together: a static peer is up while mDNS is still opening its sockets', async () => {
    let opened!: () => void;
    const slow = new MemoryDiscovery(new MemoryDiscoveryBus());
    const slowStart = slow.start.bind(slow);
    slow.start = async (service) => {
      await new Promise<void>((resolve) => (opened = resolve));
      await slowStart(service);
    };
    const statics = new StaticPeers([{ publicKey: keyOf(9), host: 'x', port: 7475 }], {
      lookup: async () => ['192.0.2.9'],
    });
    const combined = new CombinedDiscovery([slow, statics]);
    const events: DiscoveryEvent[] = [];
    combined.subscribe((e) => events.push(e));
    const starting = combined.start(local);
    await flushMicrotasks();
    expect(events).toEqual([
      expect.objectContaining({ type: 'up', peer: expect.objectContaining({ source: 'static' }) }),
    ]);
    opened();
    await starting;
    await combined.stop();
  });

  it('a part that fails to start stops the others and its error is thrown', async () => {
    const failing = new MemoryDiscovery(new MemoryDiscoveryBus());
    failing.start = async () => {
      throw new Error('no such interface');
    };
    const statics = new StaticPeers([{ publicKey: keyOf(9), host: 'x', port: 7475 }], {
      lookup: async () => ['192.0.2.9'],
    });
    const combined = new CombinedDiscovery([failing, statics]);
    const events: DiscoveryEvent[] = [];
    combined.subscribe((e) => events.push(e));
    await expect(combined.start(local)).rejects.toThrow('no such interface');
    await flushMicrotasks();
    expect(combined.peers()).toEqual([]); // everything stopped: no peer is left reported
  });
});
