// The dialer's policy: who dials, when to retry, and that a heard peer is retried until it
// connects (a floor must converge by itself).
import { type AddressInfo, connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LinkError } from '../../src/connection/link-factory.js';
import {
  CHANGED_DIAL_MS,
  classify,
  DEFAULT_RECONNECT,
  DIAL_DEFER_MS,
  Dialer,
  INCOMING_WAIT_MS,
  MAX_INCOMING_WAITS,
  NEWCOMER_MS,
  nobodyThere,
} from '../../src/core/dialer.js';
import { PeerTable } from '../../src/core/peer-table.js';
import { HandshakeError } from '../../src/crypto/handshake-error.js';
import { TransportError } from '../../src/transport/transport.js';
import { FakeClock } from './fake-clock.js';

const SELF = 'M'; // ids compare as strings: 'A' < 'M' < 'Z'

function setup(
  outcome: (id: string) => Promise<void> = async () => {},
  incoming: (id: string) => boolean = () => false,
  yieldToIo?: () => Promise<void>,
) {
  const clock = new FakeClock();
  const peers = new PeerTable();
  const dials: { id: string; at: number }[] = [];
  const failures: string[] = [];
  const blocked = new Set<string>();
  const dialer = new Dialer({
    selfId: SELF,
    clock,
    random: () => 0.5,
    reconnect: DEFAULT_RECONNECT,
    peer: (id) => peers.get(id),
    connect: async (peer) => {
      dials.push({ id: peer.id, at: clock.now() });
      await outcome(peer.id);
    },
    allowed: (peer) => !blocked.has(peer.id),
    failed: (peer, _error, kind) => failures.push(`${peer.id}:${kind}`),
    incomingFrom: (peer) => incoming(peer.id),
    ...(yieldToIo ? { yieldToIo } : {}),
  });
  dialer.start();
  const peer = (id: string) => {
    const p = peers.getOrCreate(id, new Uint8Array(32), id.toLowerCase());
    p.hint = { nick: p.nick, publicKey: '', addresses: [`10.0.0.${id.charCodeAt(0)}`], port: 7475 } as never;
    return p;
  };
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return { clock, dialer, dials, failures, blocked, peer, settle };
}

const busy = () =>
  new LinkError('handshake-failed', 'slow', { cause: new HandshakeError('timeout', 'no answer in time') });
const refused = () =>
  new LinkError('handshake-failed', 'no', { cause: new HandshakeError('wrong-network', 'other key') });
const unreachable = () => new LinkError('dial-failed', 'ECONNREFUSED');

describe('Dialer', () => {
  it("waits while the peer's own connection to us is being accepted, then dials if no link came", async () => {
    let incoming = true;
    const t = setup(
      async () => {},
      () => incoming,
    );
    t.dialer.heard(t.peer('A'), false);
    await t.settle();
    expect(t.dials).toEqual([]); // its dial is under way: no second link
    t.clock.advance(INCOMING_WAIT_MS * 1.5);
    await t.settle();
    expect(t.dials).toEqual([]); // still being accepted: waits again
    incoming = false; // that connection failed (or completed: then connected() would stop us)
    t.clock.advance(INCOMING_WAIT_MS * 1.5);
    await t.settle();
    expect(t.dials.map((d) => d.id)).toEqual(['A']);
  });

  // The peer's connection reached our host but our loop has not accepted it yet (a busy host: its
  // loop iteration lasts seconds). A real TCP listener on loopback; our thread sleeps while the
  // kernel completes the connection, so it sits in the accept queue when the dial is decided.
  for (const [label, yieldToIo] of [
    ['lets the loop accept it first, then waits for it', undefined],
    ['control: deciding at once, it dials back', async () => {}],
  ] as const) {
    it(`a connection still in the kernel's accept queue: ${label}`, async () => {
      const server = createServer((socket) => socket.on('error', () => {}));
      let accepted = 0;
      server.on('connection', () => accepted++);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
      client.on('error', () => {});
      try {
        const t = setup(
          async () => {},
          () => accepted > 0,
          yieldToIo,
        );
        const a = t.peer('A');
        await new Promise((resolve) => process.nextTick(resolve)); // net.connect's own tick: the SYN
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // loop stands still
        expect(accepted).toBe(0);
        t.dialer.heard(a, false); // a newcomer: dials at once
        await t.settle();
        expect(accepted).toBe(1);
        expect(t.dials.map((d) => d.id)).toEqual(yieldToIo ? ['A'] : []);
      } finally {
        client.destroy();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  }

  it('waits for an incoming connection a bounded number of times', async () => {
    const t = setup(
      async () => {},
      () => true,
    ); // a host that never finishes its handshake
    const start = t.clock.now();
    t.dialer.heard(t.peer('A'), false);
    const waitedAtMost = MAX_INCOMING_WAITS * INCOMING_WAIT_MS * 1.5;
    for (let ms = 0; ms <= waitedAtMost; ms += 100) {
      await t.settle();
      t.clock.advance(100);
    }
    await t.settle();
    expect(t.dials.map((d) => d.id)).toEqual(['A']);
    expect(t.dials[0]!.at - start).toBeGreaterThanOrEqual(MAX_INCOMING_WAITS * INCOMING_WAIT_MS);
  });

  it('stops waiting when the link comes up the other way', async () => {
    const t = setup(
      async () => {},
      () => true,
    );
    const a = t.peer('A');
    t.dialer.heard(a, false);
    await t.settle();
    t.dialer.connected(a);
    t.clock.advance(INCOMING_WAIT_MS * 20);
    await t.settle();
    expect(t.dials).toEqual([]);
    expect(a.incomingWaits).toBe(0);
  });

  it('a newcomer dials everyone it hears at once, smaller or larger', async () => {
    const t = setup();
    t.dialer.heard(t.peer('A'), false);
    t.dialer.heard(t.peer('Z'), false);
    await t.settle();
    expect(t.dials.map((d) => d.id).sort()).toEqual(['A', 'Z']);
  });

  it('later, the smaller id dials at once and the larger one waits for it', async () => {
    const t = setup();
    t.clock.advance(NEWCOMER_MS);
    const start = t.clock.now();
    t.dialer.heard(t.peer('Z'), false); // we are smaller: ours to dial
    t.dialer.heard(t.peer('A'), false); // it is smaller: give it a moment
    await t.settle();
    expect(t.dials.map((d) => d.id)).toEqual(['Z']);
    t.clock.advance(DIAL_DEFER_MS * 1.5);
    await t.settle();
    expect(t.dials.map((d) => d.id)).toEqual(['Z', 'A']);
    expect(t.dials[1]!.at - start).toBeGreaterThanOrEqual(DIAL_DEFER_MS);
  });

  it('does not dial a peer that connected to us meanwhile', async () => {
    const t = setup();
    t.clock.advance(NEWCOMER_MS);
    const a = t.peer('A');
    t.dialer.heard(a, false);
    a.link = {} as never;
    t.dialer.connected(a);
    t.clock.advance(10_000);
    await t.settle();
    expect(t.dials).toEqual([]);
  });

  it('retries a busy peer promptly and with growing jitter until it connects, without warning as hostile', async () => {
    let failuresLeft = 4;
    const t = setup(async () => {
      if (failuresLeft-- > 0) throw busy();
    });
    const p = t.peer('Z');
    t.dialer.heard(p, false);
    for (let i = 0; i < 40; i++) {
      await t.settle();
      t.clock.advance(250);
    }
    expect(t.dials).toHaveLength(5);
    const gaps = t.dials.slice(1).map((d, i) => d.at - t.dials[i]!.at);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(DEFAULT_RECONNECT.fast.maxMs + 250);
    expect(t.failures.every((f) => f === 'Z:busy')).toBe(true);
  });

  it('retries a peer that refused us on the slow schedule', async () => {
    const t = setup(async () => {
      throw refused();
    });
    t.dialer.heard(t.peer('Z'), false);
    await t.settle();
    t.clock.advance(DEFAULT_RECONNECT.slow.initialMs / 2 - 1);
    await t.settle();
    expect(t.dials).toHaveLength(1);
    t.clock.advance(DEFAULT_RECONNECT.slow.initialMs);
    await t.settle();
    expect(t.dials).toHaveLength(2);
    expect(t.failures).toEqual(['Z:refused', 'Z:refused']);
  });

  it('retries an address it only remembers, where nobody answers, on the slow schedule', async () => {
    for (const source of ['remembered', 'mdns'] as const) {
      const t = setup(async () => {
        throw unreachable();
      });
      const p = t.peer('Z');
      p.hint = { ...p.hint!, source };
      t.dialer.heard(p, false);
      await t.settle();
      t.clock.advance(DEFAULT_RECONNECT.slow.initialMs / 2 - 1);
      await t.settle();
      // Heard on the LAN just now: again at once (250 ms …); from memory: not before 2.5 s.
      expect(t.dials.length > 1).toBe(source === 'mdns');
      t.clock.advance(DEFAULT_RECONNECT.slow.initialMs);
      await t.settle();
      expect(t.dials.length).toBeGreaterThanOrEqual(2);
      expect(t.failures).toEqual([]); // nobody there is not worth a warning
    }
  });

  it('keeps retrying an unreachable peer (fast, then slow) without a warning, and stops when it is forgotten', async () => {
    const t = setup(async () => {
      throw unreachable();
    });
    const p = t.peer('Z');
    t.dialer.heard(p, false);
    for (let i = 0; i < 60; i++) {
      await t.settle();
      t.clock.advance(1_000);
    }
    const count = t.dials.length;
    expect(count).toBeGreaterThan(10);
    expect(t.failures).toEqual([]);
    t.dialer.forget(p);
    for (let i = 0; i < 60; i++) {
      await t.settle();
      t.clock.advance(1_000);
    }
    expect(t.dials.length).toBe(count);
  });

  it('never dials a blocked peer', async () => {
    const t = setup();
    t.blocked.add('Z');
    t.dialer.heard(t.peer('Z'), false);
    t.clock.advance(60_000);
    await t.settle();
    expect(t.dials).toEqual([]);
  });

  it('a changed address is dialled at once even while a retry is pending', async () => {
    const t = setup(async () => {
      throw unreachable();
    });
    const p = t.peer('Z');
    t.dialer.heard(p, false);
    await t.settle();
    expect(t.dials).toHaveLength(1);
    t.dialer.heard(p, true);
    await t.settle();
    expect(t.dials).toHaveLength(2);
  });

  it('changes reset the backoff and dial at once only once per CHANGED_DIAL_MS', async () => {
    const t = setup(async () => {
      throw unreachable();
    });
    const p = t.peer('Z');
    t.dialer.heard(p, false);
    await t.settle();
    t.dialer.heard(p, true); // the first change: at once
    await t.settle();
    expect(t.dials).toHaveLength(2);
    const attempts = p.attempts;
    for (let i = 0; i < 20; i++) {
      t.clock.advance(100); // under the first retry (250 ms and more, growing)
      t.dialer.heard(p, true);
      await t.settle();
    }
    // Within the window the changes dial nothing and reset nothing: the retries keep to the
    // backoff, which keeps growing.
    expect(t.dials.length).toBeLessThanOrEqual(2 + 3);
    expect(p.attempts).toBeGreaterThanOrEqual(attempts);
    expect(p.retry).toBeDefined();
    t.clock.advance(CHANGED_DIAL_MS);
    await t.settle();
    const before = t.dials.length;
    t.dialer.heard(p, true); // the window has passed: at once again, from the first backoff step
    await t.settle();
    expect(t.dials).toHaveLength(before + 1);
    expect(p.attempts).toBe(1);
  });
});

describe('classify', () => {
  it('tells unreachable, busy and refused apart', () => {
    expect(classify(unreachable())).toBe('unreachable');
    expect(classify(new Error('other'))).toBe('unreachable');
    expect(classify(busy())).toBe('busy');
    expect(classify(new LinkError('no-hello', 'closed before its hello'))).toBe('busy');
    expect(
      classify(
        new LinkError('handshake-failed', 'x', { cause: new HandshakeError('connection-lost', 'cut') }),
      ),
    ).toBe('busy');
    expect(classify(refused())).toBe('refused');
    expect(
      classify(new LinkError('handshake-failed', 'x', { cause: new HandshakeError('bad-accept', 'forged') })),
    ).toBe('refused');
    expect(
      classify(new LinkError('handshake-failed', 'x', { cause: new HandshakeError('dropped-late', 'late') })),
    ).toBe('busy');
  });

  it('tells "nobody is there" (refused, no route, no answer) from a connect timeout our own stall caused', () => {
    const dialFailed = (code: 'refused' | 'unreachable' | 'timeout', ownStall = false) =>
      new LinkError('dial-failed', code, { cause: new TransportError(code, code, { ownStall }) });
    expect(nobodyThere(dialFailed('refused'))).toBe(true);
    expect(nobodyThere(dialFailed('unreachable'))).toBe(true);
    expect(nobodyThere(dialFailed('timeout'))).toBe(true); // a cut: nothing answered in time
    expect(nobodyThere(dialFailed('timeout', true))).toBe(false); // we were not looking
    expect(nobodyThere(busy())).toBe(false);
    expect(nobodyThere(new Error('ECONNREFUSED'))).toBe(false);
  });
});
