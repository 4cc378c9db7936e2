// Issue 13's figure, in process: what it costs a node that N peers connect to to adopt each link
// ("a peer came online": trust, peer table, store rows, peer exchange, catch-up and drops asks).
// One real node (secure channel, SQLite) on the in-memory LAN; the N joiners are bare link
// factories, real handshake and hello, that read and ignore what the node sends, so the node's
// side is all there is beyond the handshake. Measured with process.cpuUsage:
// - the node's synchronous adopt per link (LinkKeeper.adopt, wrapped), its first ten and last ten
//   (a cost that grows with the peers already online shows as last ≫ first: O(N²) for a floor);
// - the whole process per link from the first dial to all online and settled, next to the same N
//   links made to a bare server that adopts nothing (handshake + hello alone), in the same run.
// Rounds: cold (first in a fresh process), warm (a new node, new joiners), known (the warm joiners
// quit and come back: their contact pins and remembered rows exist).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { LinkFactory } from '../../src/connection/link-factory.js';
import type { PeerLink } from '../../src/connection/peer-link.js';
import { systemClock } from '../../src/core/clock.js';
import { HOLD_CAPABILITY } from '../../src/core/drops/drop-policy.js';
import { CAPABILITIES, type LanchatNode } from '../../src/core/node.js';
import { PEX_CAPABILITY } from '../../src/core/peer-exchange.js';
import { HandshakeLimiter } from '../../src/crypto/handshake-limiter.js';
import { DEFAULT_NETWORK_KEY } from '../../src/crypto/network-key.js';
import type { Ed25519KeyPair } from '../../src/crypto/shs-keys.js';
import { type Hello, PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { MemoryLan, until } from './memory-lan.js';

const PORT = 7475;
const ROOM = '#general';
/** After the last link is up: the peer-exchange batches (200 ms) and first replies go out. */
const SETTLE_MS = 800;
const WAIT_MS = 120_000;
/** What a current lanchat says it speaks (hold and pex included). */
const JOINER_CAPS = [...CAPABILITIES, HOLD_CAPABILITY, PEX_CAPABILITY];

export interface AdoptRound {
  label: string;
  peers: number;
  /** CPU µs of each synchronous adopt, in order. */
  adoptUs: number[];
  /** CPU µs of the whole process per link: dials, handshakes, adopts, settle. */
  processUsPerLink: number;
}

export interface AdoptFigures {
  rounds: AdoptRound[];
  /** The same N links to a bare server: CPU µs per link, cold (first) and warm. */
  baselineColdUs: number;
  baselineWarmUs: number;
}

const cpuUs = (since?: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return d.user + d.system;
};

function joinerHello(i: number): Hello {
  return {
    t: 'hello',
    v: PROTOCOL_VERSION,
    nick: `peer${i}`,
    presence: 'online',
    status: '',
    caps: JOINER_CAPS,
    rooms: [ROOM],
    port: PORT,
  };
}

interface Joiner {
  identity: Ed25519KeyPair;
  factory: LinkFactory;
  link?: PeerLink | undefined;
}

function joiners(lan: MemoryLan, n: number, subnet: number, identities?: Ed25519KeyPair[]): Joiner[] {
  return Array.from({ length: n }, (_, i) => {
    const identity = identities?.[i] ?? nacl.sign.keyPair();
    const factory = new LinkFactory({
      identity,
      networkKey: DEFAULT_NETWORK_KEY,
      transport: lan.transport(`10.${subnet}.${Math.floor(i / 250)}.${(i % 250) + 2}`),
      limiter: new HandshakeLimiter(),
      clock: systemClock,
      hello: () => joinerHello(i),
      authorize: () => false,
    });
    return { identity, factory };
  });
}

/** All joiners dial `host` at once; resolves when every link is up (hello exchanged). */
async function dialAll(list: Joiner[], host: string, serverKey: Uint8Array): Promise<void> {
  await Promise.all(
    list.map(async (j) => {
      const link = await j.factory.dial(host, PORT, serverKey);
      link.attach(() => {}); // read and ignore: the node's work is what is measured
      j.link = link;
    }),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const online = (node: LanchatNode) => node.peerList().filter((p) => p.online).length;

/** N links to a server that runs the handshake and hello and adopts nothing. */
async function baseline(lan: MemoryLan, n: number, subnet: number): Promise<number> {
  const host = `10.${subnet}.255.1`;
  const identity = nacl.sign.keyPair();
  const server = new LinkFactory({
    identity,
    networkKey: DEFAULT_NETWORK_KEY,
    transport: lan.transport(host),
    limiter: new HandshakeLimiter(),
    clock: systemClock,
    hello: () => ({ ...joinerHello(0), nick: 'server' }),
    authorize: () => true,
  });
  const listener = await lan.transport(host).listen({ port: PORT });
  const accepted: PeerLink[] = [];
  listener.onConnection((stream, remote) => {
    server.accept(stream, remote).then(
      (link) => {
        link.attach(() => {});
        accepted.push(link);
      },
      () => {},
    );
  });
  const list = joiners(lan, n, subnet);
  const t0 = process.cpuUsage();
  await dialAll(list, host, identity.publicKey);
  await until('the bare server has every link', () => accepted.length === n, WAIT_MS);
  await sleep(SETTLE_MS);
  const us = cpuUs(t0) / n;
  for (const j of list) j.link?.close('local');
  for (const l of accepted) l.close('local');
  await listener.close();
  return us;
}

interface Hub {
  node: LanchatNode;
  adoptUs: number[];
}

/** Wraps the node's adopt to time it (a private field, bench only). */
function instrument(node: LanchatNode): Hub {
  const inner = node as unknown as {
    linkKeeper: { adopt(link: PeerLink): void };
  };
  const hub: Hub = { node, adoptUs: [] };
  const keeper = inner.linkKeeper;
  const adopt = keeper.adopt.bind(keeper);
  keeper.adopt = (link) => {
    const t0 = process.cpuUsage();
    try {
      adopt(link);
    } finally {
      hub.adoptUs.push(cpuUs(t0));
    }
  };
  return hub;
}

async function round(hub: Hub, list: Joiner[], label: string, host: string): Promise<AdoptRound> {
  const n = list.length;
  hub.adoptUs.length = 0;
  const t0 = process.cpuUsage();
  await dialAll(list, host, hub.node.publicKey);
  await until(`${label}: the node has all ${n} online`, () => online(hub.node) === n, WAIT_MS);
  await sleep(SETTLE_MS);
  return {
    label,
    peers: n,
    adoptUs: [...hub.adoptUs],
    processUsPerLink: cpuUs(t0) / n,
  };
}

/** Joiners say they quit (so the node does not redial them) and close. */
async function quitAll(hub: Hub, list: Joiner[]): Promise<void> {
  for (const j of list) {
    j.link?.send({ t: 'close', reason: 'quit' });
    j.link?.close('local');
    j.link = undefined;
  }
  await until('every joiner gone', () => online(hub.node) === 0, WAIT_MS);
}

export async function benchAdopt(n: number): Promise<AdoptFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'lanchat-bench-adopt-'));
  const lan = new MemoryLan(dir);
  const hubs: Hub[] = [];
  const start = async (name: string, host: string) => {
    const member = lan.member(name, host, { port: PORT });
    await member.node.start();
    member.node.join(ROOM);
    const hub = instrument(member.node);
    hubs.push(hub);
    return hub;
  };
  try {
    const baselineColdUs = await baseline(lan, n, 1);
    const cold = await start('cold', '10.200.0.1');
    const coldJoiners = joiners(lan, n, 2);
    const rounds = [await round(cold, coldJoiners, 'cold', '10.200.0.1')];
    // Alone on the LAN again: the next node would find this one in discovery and link to it.
    await quitAll(cold, coldJoiners);
    await cold.node.stop();
    const baselineWarmUs = await baseline(lan, n, 3);
    const warm = await start('warm', '10.200.0.2');
    const warmJoiners = joiners(lan, n, 4);
    rounds.push(await round(warm, warmJoiners, 'warm', '10.200.0.2'));
    await quitAll(warm, warmJoiners);
    const again = joiners(
      lan,
      n,
      4,
      warmJoiners.map((j) => j.identity),
    );
    rounds.push(await round(warm, again, 'known', '10.200.0.2'));
    return { rounds, baselineColdUs, baselineWarmUs };
  } finally {
    // Stopping a stopped node again is harmless.
    await Promise.all(hubs.map((h) => h.node.stop()));
    lan.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const msOf = (us: number) => `${(us / 1000).toFixed(3)} ms`;

/** Rows for the messaging table: per round, the node's adopt and the process per link. */
export function adoptRows(f: AdoptFigures): string[][] {
  return f.rounds.map((r) => {
    const base = r.label === 'cold' ? f.baselineColdUs : f.baselineWarmUs;
    const adopt = mean(r.adoptUs);
    return [
      `link adoption, ${r.label}: ${r.peers} peers connect to one node (in-memory LAN); CPU of its adopt per link ${msOf(adopt)} (first 10 ${msOf(mean(r.adoptUs.slice(0, 10)))}, last 10 ${msOf(mean(r.adoptUs.slice(-10)))}); whole process per link`,
      msOf(r.processUsPerLink),
      `the same ${r.peers} links to a bare server (handshake + hello, nothing adopted), ${r.label === 'cold' ? 'cold' : 'warm'} ${msOf(base)}`,
      `${(r.processUsPerLink / base).toPrecision(3)}×`,
      '— (none set)',
      '—',
    ];
  });
}
