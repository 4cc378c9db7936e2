// Authenticated attackers over real TCP on 127.0.0.1, and a victim node listening there: a fresh
// Ed25519 key per connection completes the real SHS handshake (the handshake authenticates a key,
// never a person), then the test writes whatever frames it likes into the secure stream. Used by
// the limits tests and by scripts/bench-hostile.ts.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import nacl from 'tweetnacl';
import type { NodeInit } from '../../src/core/node.js';
import { SIGNATURE_V2_CAPABILITY } from '../../src/core/room-signature.js';
import { DEFAULT_NETWORK_KEY } from '../../src/crypto/network-key.js';
import { secureClient } from '../../src/crypto/secure-handshake.js';
import type { SecureStream } from '../../src/crypto/secure-stream.js';
import { MemoryDiscovery } from '../../src/discovery/memory-discovery.js';
import { encodeFrame, FRAME_TYPE_MESSAGE } from '../../src/protocol/frame-codec.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { decodeMessage, PROTOCOL_VERSION, type WireMessage } from '../../src/protocol/messages.js';
import { createTcpTransport } from '../../src/transport/tcp-transport.js';
import type { NodeFixture, TestNode } from '../core/node-fixture.js';

export const LOOPBACK = '127.0.0.1';
/** Attackers connect from another loopback address than the honest nodes (all of 127/8 is
 * local on Linux): to the victim they are another host, as on a LAN, so per-address limits
 * apply to them and not to the honest peers. */
export const ATTACKER_ADDRESS = '127.0.0.2';
/** Floods of hundreds of connections come from ten hosts, 127.0.0.2 to 127.0.0.11, each below
 * the victim's per-address caps (half-open-caps.ts, 32 each), like a few infected machines. */
export const FLOOD_ADDRESSES = Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 2}`);
let nextFloodAddress = 0;

/** A node of the fixture on real TCP, announced on the fixture's memory bus at 127.0.0.1. */
export function startTcpNode(fx: NodeFixture, name: string, init: Partial<NodeInit> = {}): Promise<TestNode> {
  return fx.start(name, {
    host: LOOPBACK,
    discovery: new MemoryDiscovery(fx.bus, { address: LOOPBACK }),
    transport: () => createTcpTransport(),
    init: { port: 0, host: LOOPBACK, ...init },
  });
}

export interface Attacker {
  readonly socket: Socket;
  readonly session: SecureStream;
  /** When the TCP connection was established, and when it closed (Date.now()). */
  readonly connectedAt: number;
  closedAt: number | undefined;
}

/** Where a victim listens on 127.0.0.1, and the key it must prove. */
export interface Target {
  readonly port: number;
  readonly publicKey: Uint8Array;
}

export function targetOf(victim: TestNode): Target {
  return { port: victim.node.port, publicKey: victim.identity.publicKey };
}

/** Connects to `victim` from `from` and completes the handshake with a fresh key; sends nothing
 * more. Rejects when the victim closes the connection during the handshake (a refusal). */
export async function handshake(victim: Target, from = ATTACKER_ADDRESS): Promise<Attacker> {
  const socket = connect({ host: LOOPBACK, port: victim.port, localAddress: from });
  socket.on('error', () => {});
  await once(socket, 'connect');
  const connectedAt = Date.now();
  const session = await secureClient(socket, {
    identity: nacl.sign.keyPair(),
    networkKey: DEFAULT_NETWORK_KEY,
    serverPublicKey: victim.publicKey,
  });
  session.on('error', () => {});
  const attacker: Attacker = { socket, session, connectedAt, closedAt: undefined };
  socket.once('close', () => {
    attacker.closedAt = Date.now();
  });
  return attacker;
}

/** `count` handshakes, a few at a time (the victim admits 8 half-open handshakes per address),
 * from the FLOOD_ADDRESSES in turn. */
export async function handshakes(victim: Target, count: number, parallel = 6): Promise<Attacker[]> {
  const all: Attacker[] = [];
  const from = () => FLOOD_ADDRESSES[nextFloodAddress++ % FLOOD_ADDRESSES.length];
  while (all.length < count) {
    const batch = Math.min(parallel, count - all.length);
    all.push(...(await Promise.all(Array.from({ length: batch }, () => handshake(victim, from())))));
  }
  return all;
}

/** Like `handshakes`, but a refused connection is counted instead of failing the whole batch. */
export async function tryHandshakes(
  victim: Target,
  count: number,
  from = ATTACKER_ADDRESS,
  parallel = 6,
): Promise<{ attackers: Attacker[]; refused: number }> {
  const attackers: Attacker[] = [];
  let refused = 0;
  for (let done = 0; done < count; done += parallel) {
    const batch = Math.min(parallel, count - done);
    const results = await Promise.allSettled(Array.from({ length: batch }, () => handshake(victim, from)));
    for (const r of results) {
      if (r.status === 'fulfilled') attackers.push(r.value);
      else refused++;
    }
  }
  return { attackers, refused };
}

export function messageFrame(message: WireMessage | Record<string, unknown>): Buffer {
  return encodeFrame(FRAME_TYPE_MESSAGE, Buffer.from(JSON.stringify(message), 'utf8'));
}

export function helloFrame(rooms: string[] = [], nick = `mallory${Math.floor(Math.random() * 1e6)}`): Buffer {
  return messageFrame({
    t: 'hello',
    v: PROTOCOL_VERSION,
    nick,
    presence: 'online',
    status: '',
    caps: ['dm', 'rooms', 'ack', 'presence', 'catchup', 'signed-rooms', SIGNATURE_V2_CAPABILITY],
    rooms,
  });
}

/** Sends our hello, waits for the victim's, then stops reading for good: whatever the victim
 * sends from now on piles up in its own send queue once the kernel buffers are full. */
export async function joinAndStopReading(attacker: Attacker, rooms: string[], nick?: string): Promise<void> {
  const decoder = new FrameDecoder();
  const hello = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (decodeMessage(frame.payload)?.t !== 'hello') continue;
        attacker.session.off('data', onData);
        attacker.session.pause();
        resolve();
      }
    };
    attacker.session.on('data', onData);
  });
  attacker.session.write(helloFrame(rooms, nick));
  await hello;
}

/** Starts reading again: every chat message is recorded (by id, in arrival order) and acked, as
 * an honest peer would. */
export function readAndAck(attacker: Attacker): string[] {
  const ids: string[] = [];
  const decoder = new FrameDecoder();
  attacker.session.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      const message = decodeMessage(frame.payload);
      if (message?.t !== 'msg') continue;
      ids.push(message.id);
      attacker.session.write(messageFrame({ t: 'ack', id: message.id }));
    }
  });
  attacker.session.resume();
  return ids;
}

/** Slowloris: every 500 ms, one more byte of a hello on every connection of `attackers` (the
 * list may grow meanwhile), never the last byte, so no hello ever completes. Returns the stop. */
export function dripHellos(attackers: readonly Attacker[]): () => void {
  const sent = new Map<Attacker, number>();
  const hello = helloFrame();
  const drip = setInterval(() => {
    for (const a of attackers) {
      const at = sent.get(a) ?? 0;
      if (a.closedAt !== undefined || at >= hello.length - 1) continue;
      a.session.write(hello.subarray(at, at + 1));
      sent.set(a, at + 1);
    }
  }, 500);
  return () => clearInterval(drip);
}

/** Pings every `ms` until the connection closes: a hostile peer that wants to stay connected
 * does not let the victim's heartbeat timeout see a silent link. */
export function keepAlive(attacker: Attacker, ms: number): void {
  let n = 0;
  const timer = setInterval(() => {
    if (attacker.closedAt !== undefined) clearInterval(timer);
    else attacker.session.write(messageFrame({ t: 'ping', n: ++n }));
  }, ms);
  timer.unref();
}

/** Resident set size in MB, sampled every 50 ms while `during` runs; returns the peak. */
export async function peakRssMb(during: Promise<unknown>): Promise<number> {
  let peak = process.memoryUsage().rss;
  let done = false;
  void during.finally(() => {
    done = true;
  });
  while (!done) {
    peak = Math.max(peak, process.memoryUsage().rss);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Math.max(peak, process.memoryUsage().rss) / (1024 * 1024);
}

export function rssMb(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}
