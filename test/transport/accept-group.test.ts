// Several listening sockets per node (accept-group.ts): a burst of connections is taken up in a
// few loop turns instead of one per turn, and the group is never shared with another process.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ACCEPT_SOCKETS, acceptGroup, listenersOn } from '../../src/transport/accept-group.js';
import { createTcpTransport } from '../../src/transport/tcp-transport.js';
import { reusePortWorks } from './reuse-port.js';

/** `count` connections to 127.0.0.1:port that reach the kernel while our loop stands still, so
 * they all wait in accept queues; then the accepts seen after each of `turns` samples: the first
 * after one or two poll phases (two nested immediates: one when called from the poll phase, two
 * from the check phase), then one more turn each. */
async function burst(port: number, accepted: () => number, count: number, turns: number): Promise<number[]> {
  const clients: Socket[] = [];
  for (let i = 0; i < count; i++) clients.push(connect(port, '127.0.0.1').on('error', () => {}));
  try {
    await new Promise((resolve) => process.nextTick(resolve)); // net.connect's own tick: the SYNs
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    const seen: number[] = [];
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < turns; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(accepted());
    }
    return seen;
  } finally {
    for (const client of clients) client.destroy();
  }
}

/** burst() against a fresh listener on `host` (undefined: every address), 24 connections, 2 turns. */
async function burstAt(host: string | undefined): Promise<number[]> {
  const listener = await createTcpTransport().listen({ port: 0, ...(host ? { host } : {}) });
  let accepted = 0;
  listener.onConnection((stream) => {
    accepted++;
    stream.destroy();
  });
  try {
    return await burst(listener.port, () => accepted, 24, 2);
  } finally {
    await listener.close();
  }
}

function table(rows: string[]): string {
  const head =
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
  return [
    head,
    ...rows.map((row, i) => {
      const [local, state] = row.split(' ');
      return `  ${i}: ${local} ${V6_ANY}:0000 ${state} 00000000:00000000 00:00000000 00000000     0        0 ${1000 + i} 1`;
    }),
  ].join('\n');
}
const V6_ANY = '00000000000000000000000000000000';

function bindShared(port: number, shared: boolean): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '::', port, reusePort: shared }, () => resolve(server));
  });
}

describe('accept group', () => {
  it.runIf(reusePortWorks)(
    'takes up a burst of connections in a few loop turns, where one socket takes one per turn',
    async () => {
      // 24 connections over 16 sockets: ≈ 12.6 sockets hold one or more, each gives one per turn
      // (two turns: ≈ 20); one socket gives one a turn (two turns: 2).
      expect((await burstAt(undefined))[0]).toBeGreaterThanOrEqual(5); // every address: a group
      // Control: a specific address gets one socket, and libuv takes one connection per loop turn.
      expect((await burstAt('127.0.0.1'))[0]).toBeLessThanOrEqual(2);
    },
  );

  it.runIf(reusePortWorks)(
    'a second lanchat of the same user finds the port taken and moves; every connection still reaches the first',
    async () => {
      const first = await createTcpTransport().listen({ port: 0 });
      const second = await createTcpTransport().listen({ port: first.port });
      expect(second.port).not.toBe(first.port);
      let atFirst = 0;
      let atSecond = 0;
      first.onConnection((stream) => {
        atFirst++;
        stream.destroy();
      });
      second.onConnection((stream) => {
        atSecond++;
        stream.destroy();
      });
      await burst(first.port, () => atFirst, 16, 20);
      expect([atFirst, atSecond]).toEqual([16, 0]);
      await Promise.all([first.close(), second.close()]);
    },
  );

  /** acceptGroup with a real bind and an injected /proc whose listeners on the port are `listed`
   * (given the sockets bound so far). */
  async function group(port: number, listed: (bound: Server[], port: number) => number, extra = {}) {
    const bound: Server[] = [];
    let exclusive: Server | undefined;
    const servers = await acceptGroup('::', port, {
      platform: 'linux',
      sockets: 3,
      bind: async (_host, p, shared) => {
        const server = await bindShared(p, shared);
        bound.push(server);
        return server;
      },
      exclusive: async () => (exclusive = await bindShared(port, false)),
      readProc: () => {
        const at = bound[0] ? (bound[0].address() as { port: number }).port : port;
        const row = `${V6_ANY}:${at.toString(16).toUpperCase().padStart(4, '0')} 0A`;
        return table(Array.from({ length: listed(bound, at) }, () => row));
      },
      ...extra,
    });
    return { servers, bound, exclusive };
  }

  it.runIf(reusePortWorks)(
    'listens with a group when /proc lists nobody on the port before and exactly ours after',
    async () => {
      const { servers, bound, exclusive } = await group(0, (b) => b.length);
      expect(servers).toEqual(bound);
      expect(bound).toHaveLength(3);
      expect(new Set(bound.map((s) => (s.address() as { port: number }).port)).size).toBe(1);
      expect(exclusive).toBeUndefined();
      for (const server of servers) server.close();
    },
  );

  it.runIf(reusePortWorks)(
    'goes back to one exclusive socket when /proc lists a socket on the port that is not ours',
    async () => {
      // Before the group: nobody; after: one more than ours (another process joined it).
      const { servers, bound, exclusive } = await group(0, (b) => (b.length === 0 ? 0 : b.length + 1));
      expect(bound).toHaveLength(3);
      expect(servers).toEqual([exclusive]);
      expect(bound.every((s) => !s.listening)).toBe(true);
      expect(exclusive!.listening).toBe(true);
      exclusive!.close();
    },
  );

  it('binds no group on a port somebody listens on already: the exclusive bind decides', async () => {
    const other = await bindShared(0, false);
    const port = (other.address() as { port: number }).port;
    await expect(group(port, () => 1)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    other.close();
  });

  it('keeps to one exclusive socket where it cannot make sure (no /proc, another system, a specific address)', async () => {
    for (const [host, platform, proc] of [
      ['::', 'linux', undefined],
      ['::', 'darwin', table([])],
      ['127.0.0.1', 'linux', table([])],
    ] as const) {
      let binds = 0;
      const only = await bindShared(0, false);
      const servers = await acceptGroup(host, 0, {
        platform,
        bind: async () => {
          binds++;
          throw new Error('not expected');
        },
        exclusive: async () => only,
        readProc: () => proc,
      });
      expect(servers).toEqual([only]);
      expect(binds).toBe(0);
      only.close();
    }
  });

  it('counts the listening sockets on a port at the wildcard address only', () => {
    const text = table([
      `${V6_ANY}:1D33 0A`, // :: port 7475, listening
      `${V6_ANY}:1D33 0A`,
      `0000000000000000FFFF00000100007F:1D33 0A`, // ::ffff:127.0.0.1, a specific address
      `${V6_ANY}:1D34 0A`, // another port
      `${V6_ANY}:1D33 01`, // established, not listening
    ]);
    expect(listenersOn(text, 7475)).toBe(2);
    expect(listenersOn(text, 7476)).toBe(1);
    expect(listenersOn(undefined, 7475)).toBeUndefined();
    expect(listenersOn('garbage\n1 2 3', 7475)).toBeUndefined();
    expect(ACCEPT_SOCKETS).toBeGreaterThan(1);
  });
});
