import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createMemoryNetwork } from '../../src/transport/memory-transport.js';
import { expectTransportError, transportContract } from './transport-contract.js';

transportContract('memory', () => {
  const network = createMemoryNetwork();
  const hosts = new Map<string, string>();
  return {
    transport: (name) => {
      if (!hosts.has(name)) hosts.set(name, `10.0.0.${hosts.size + 1}`);
      return network.transport(hosts.get(name)!);
    },
  };
});

describe('memory network links', () => {
  it('a cut link swallows data without a FIN, refuses new dials, and heals', async () => {
    const network = createMemoryNetwork();
    const listener = await network.transport('10.0.0.1').listen({ port: 7475 });
    const accepted = new Promise<Duplex>((resolve) => listener.onConnection(resolve));
    const { stream, remote } = await network.transport('10.0.0.2').dial({ address: '10.0.0.1', port: 7475 });
    expect(remote).toEqual({ address: '10.0.0.1', port: 7475 });
    const server = await accepted;
    const received: string[] = [];
    server.on('data', (chunk: Buffer) => received.push(chunk.toString()));

    network.setLinkDown('10.0.0.2', true);
    stream.write('lost');
    stream.end();
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([]);
    expect(server.readableEnded).toBe(false); // no FIN reached it: only a heartbeat can tell
    await expectTransportError(
      network.transport('10.0.0.2').dial({ address: '10.0.0.1', port: 7475 }),
      'unreachable',
    );

    network.setLinkDown('10.0.0.2', false);
    const next = new Promise<Duplex>((resolve) => listener.onConnection(resolve));
    const again = await network.transport('10.0.0.2').dial({ address: '10.0.0.1', port: 7475 });
    again.stream.write('back');
    const [chunk] = (await once(await next, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('back');
    server.destroy();
    again.stream.destroy();
    await listener.close();
    expect(network.listening()).toEqual([]);
  });
});
