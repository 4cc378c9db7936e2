import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTcpTransport } from '../../src/transport/tcp-transport.js';
import { TransportError } from '../../src/transport/transport.js';
import { expectTransportError, transportContract } from './transport-contract.js';

transportContract('tcp over 127.0.0.1', () => ({
  transport: () => createTcpTransport(),
  listenHost: '127.0.0.1',
}));
transportContract('tcp over ::1', () => ({ transport: () => createTcpTransport(), listenHost: '::1' }));

describe('tcp transport specifics', () => {
  it('falls back when another program holds the port on ::1', async () => {
    const other = createServer();
    other.listen({ host: '::1', port: 0 });
    await once(other, 'listening');
    const taken = (other.address() as { port: number }).port;
    const listener = await createTcpTransport().listen({ host: '::1', port: taken });
    expect(listener.port).not.toBe(taken);
    await listener.close();
    other.close();
  });

  it('accepts bracketed IPv6 and reports the accepted side without the ::ffff: prefix', async () => {
    const transport = createTcpTransport();
    const v6 = await transport.listen({ host: '::1', port: 0 });
    const accepted6 = new Promise<Duplex>((resolve) => v6.onConnection(resolve));
    const { stream, remote } = await transport.dial({ address: '[::1]', port: v6.port });
    expect(remote).toEqual({ address: '::1', port: v6.port });
    (await accepted6).destroy();
    stream.destroy();
    await v6.close();

    const v4 = await transport.listen({ host: '127.0.0.1', port: 0 });
    const from = new Promise<string>((resolve) =>
      v4.onConnection((s, r) => {
        s.destroy();
        resolve(r.address);
      }),
    );
    const dialed = await transport.dial({ address: '127.0.0.1', port: v4.port });
    expect(await from).toBe('127.0.0.1');
    dialed.stream.destroy();
    await v4.close();
  });

  it('sets TCP_NODELAY and keepalive on both ends', async () => {
    const transport = createTcpTransport({ keepAliveMs: 7_000 });
    const listener = await transport.listen({ host: '127.0.0.1', port: 0 });
    const accepted = new Promise<Duplex>((resolve) => listener.onConnection(resolve));
    const { stream } = await transport.dial({ address: '127.0.0.1', port: listener.port });
    const server = await accepted;
    // Node keeps what it asked the OS for under internal symbols; the kernel's view is not exposed.
    const flag = (socket: Duplex, name: string): unknown => {
      const symbol = Object.getOwnPropertySymbols(socket).find((s) => s.description === name);
      return symbol === undefined ? undefined : (socket as unknown as Record<symbol, unknown>)[symbol];
    };
    for (const socket of [stream, server]) {
      expect(flag(socket, 'kSetNoDelay')).toBe(true);
      expect(flag(socket, 'kSetKeepAlive')).toBe(true);
      expect(flag(socket, 'kSetKeepAliveInitialDelay')).toBe(7);
    }
    server.destroy();
    stream.destroy();
    await listener.close();
  });

  // A loopback listener that never accepts, with its backlog filled, drops further SYNs: a dial to
  // it hangs like one to a dead host, without sending anything off this machine.
  const hasPython = spawnSync('python3', ['--version']).status === 0;
  async function blackHole(): Promise<{ port: number; release(): void }> {
    const python = spawn('python3', [
      '-c',
      'import socket,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nprint(s.getsockname()[1],flush=True);time.sleep(60)',
    ]);
    const [line] = (await once(python.stdout, 'data')) as [Buffer];
    const port = Number(line.toString());
    const fillers = Array.from({ length: 4 }, () => connect(port, '127.0.0.1').on('error', () => {}));
    await new Promise((resolve) => setTimeout(resolve, 100));
    return {
      port,
      release() {
        for (const filler of fillers) filler.destroy();
        python.kill('SIGKILL');
      },
    };
  }

  it.skipIf(!hasPython)('a timeout whose timer fired late (our own loop stood still) says so', async () => {
    const hole = await blackHole();
    try {
      const onTime = await createTcpTransport()
        .dial({ address: '127.0.0.1', port: hole.port, timeoutMs: 100 })
        .catch((e: unknown) => e as TransportError);
      expect(onTime).toBeInstanceOf(TransportError);
      expect((onTime as TransportError).code).toBe('timeout');
      expect((onTime as TransportError).ownStall).toBe(false);
      const dialing = createTcpTransport().dial({ address: '127.0.0.1', port: hole.port, timeoutMs: 50 });
      const until = Date.now() + 1_300; // a loaded host: nothing runs for 1.3 s
      while (Date.now() < until) {
        // busy
      }
      const late = await dialing.catch((e: unknown) => e as TransportError);
      expect((late as TransportError).code).toBe('timeout');
      expect((late as TransportError).ownStall).toBe(true);
    } finally {
      hole.release();
    }
  });

  it.skipIf(!hasPython)('times out a dial that gets no answer', async () => {
    const hole = await blackHole();
    try {
      const started = Date.now();
      await expectTransportError(
        createTcpTransport().dial({ address: '127.0.0.1', port: hole.port, timeoutMs: 300 }),
        'timeout',
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      hole.release();
    }
  });

  it.skipIf(!hasPython)('aborts a pending dial when the signal fires', async () => {
    const hole = await blackHole();
    try {
      const controller = new AbortController();
      const dialing = createTcpTransport().dial({
        address: '127.0.0.1',
        port: hole.port,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 50);
      await expectTransportError(dialing, 'aborted');
    } finally {
      hole.release();
    }
  });

  it('reports an unknown link-local scope as unreachable, without touching the network', async () => {
    await expectTransportError(
      createTcpTransport().dial({ address: 'fe80::1%no-such-interface0', port: 7475, timeoutMs: 2_000 }),
      'unreachable',
    );
  });
});
