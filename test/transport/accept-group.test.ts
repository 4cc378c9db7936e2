// Several listening sockets per node (accept-group.ts): a burst of connections is taken up in a
// few loop turns instead of one per turn, and the group is never shared with another process.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ACCEPT_SOCKETS, acceptGroup, listenersOn } from '../../src/transport/accept-group.js';
import { createTcpTransport } from '../../src/transport/tcp-transport.js';

const linux = process.platform === 'linux';

/** `count` connections to 127.0.0.1:port that reach the kernel while our loop stands still, so
 * they all wait in accept queues; then the accepts seen after each of `turns` loop turns. */
async function burst(port: number, accepted: () => number, count: number, turns: number): Promise<number[]> {
  const clients: Socket[] = [];
  for (let i = 0; i < count; i++) clients.push(connect(port, '127.0.0.1').on('error', () => {}));
  try {
    await new Promise((resolve) => process.nextTick(resolve)); // net.connect's own tick: the SYNs
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    const seen: number[] = [];
    for (let i = 0; i < turns; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(accepted());
    }
    return seen;
  } finally {
    for (const client of clients) client.destroy();
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
  it.runIf(linux)(
    'takes up a burst of connections in a few loop turns, where one socket takes one per turn',
    async () => {
      const listener = await createTcpTransport().listen({ port: 0 }); // every address: a group
      let accepted = 0;
      listener.onConnection((stream) => {
        accepted++;
        stream.destroy();
      });
      const group = await burst(listener.port, () => accepted, 24, 2);
      await listener.close();
      // 24 connections over 16 sockets: ≈ 12.6 sockets hold one or more, each gives one per turn.
      expect(group[0]).toBeGreaterThanOrEqual(3);

      // Control: a specific address gets one socket, and libuv takes one connection per loop turn.
      const single = await createTcpTransport().listen({ host: '127.0.0.1', port: 0 });
      let one = 0;
      single.onConnection((stream) => {
        one++;
        stream.destroy();
      });
      const control = await burst(single.port, () => one, 24, 2);
      await single.close();
      expect(control).toEqual([1, 2]);
    },
  );

  it.runIf(linux)(
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

  it('goes back to one exclusive socket when /proc lists a socket on the port that is not ours', async () => {
    const claim = await bindShared(0, false);
    const port = (claim.address() as { port: number }).port;
    const bound: Server[] = [];
    const servers = await acceptGroup(claim, '::', {
      platform: 'linux',
      sockets: 3,
      bind: async (_host, p, shared) => {
        const server = await bindShared(p, shared);
        bound.push(server);
        return server;
      },
      rebind: () => bindShared(port, false),
      // Before the group: nothing but the claim; after: one more than ours (another process).
      readProc: () =>
        table(
          Array.from({ length: bound.length + 1 }, () => `${V6_ANY}:${port.toString(16).toUpperCase()} 0A`),
        ),
    });
    expect(bound).toHaveLength(3);
    expect(servers).toHaveLength(1);
    expect(bound.some((s) => s === servers[0])).toBe(false);
    expect(bound.every((s) => !s.listening)).toBe(true);
    expect(servers[0]!.listening).toBe(true);
    servers[0]!.close();
  });

  it('keeps the one socket it has where it cannot make sure (no /proc, another system, a specific address)', async () => {
    for (const [host, platform, proc] of [
      ['::', 'linux', undefined],
      ['::', 'darwin', table([])],
      ['127.0.0.1', 'linux', table([])],
    ] as const) {
      const claim = await bindShared(0, false);
      let binds = 0;
      const servers = await acceptGroup(claim, host, {
        platform,
        bind: async () => {
          binds++;
          throw new Error('not expected');
        },
        rebind: () => Promise.reject(new Error('not expected')),
        readProc: () => proc,
      });
      expect(servers).toEqual([claim]);
      expect(binds).toBe(0);
      expect(claim.listening).toBe(true);
      claim.close();
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
