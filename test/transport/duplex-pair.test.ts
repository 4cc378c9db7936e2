import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { duplexPair } from '../../src/transport/duplex-pair.js';
import { closed } from './transport-contract.js';

describe('duplexPair', () => {
  it('copies chunks, so a writer reusing its buffer cannot change what was sent', async () => {
    const [a, b] = duplexPair();
    const buffer = Buffer.from('first');
    a.write(buffer);
    buffer.write('XXXXX');
    const [chunk] = (await once(b, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('first');
  });

  it('holds the writer until the reader drains (backpressure), then releases it', async () => {
    const [a, b] = duplexPair({ highWaterMark: 4 });
    let callbacks = 0;
    const write = () => a.write(Buffer.alloc(8), () => callbacks++);
    write();
    write();
    await new Promise((resolve) => setImmediate(resolve));
    expect(callbacks).toBe(0); // b is over its highWaterMark and nobody reads
    b.resume();
    await once(a, 'drain');
    expect(callbacks).toBe(2);
  });

  it('does not hang a writer whose peer is destroyed', async () => {
    const [a, b] = duplexPair({ highWaterMark: 4 });
    a.write(Buffer.alloc(64));
    let released = false;
    a.write(Buffer.alloc(64), () => {
      released = true;
    });
    a.resume(); // like a socket, an end is only seen by a reader
    b.destroy();
    await closed(a);
    expect(released).toBe(true);
  });
});
