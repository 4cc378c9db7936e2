// A bench-only child process for `npm run bench:messaging`. It hosts one or more lanchat nodes built
// from the real adapters (TCP on 127.0.0.1 + secure channel + SQLite WAL in a temp profile), found
// through StaticPeers only — no mDNS in the root namespace — or a raw TCP JSON endpoint for the
// baselines. The parent drives it with one JSON request per stdin line and gets one JSON reply per
// stdout line ({rid, ok, ...}). Timestamps are CLOCK_MONOTONIC (process.hrtime), which every
// process on the host shares, so send → receive can be measured across processes.
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import nacl from 'tweetnacl';
import type { NodeEvent } from '../../src/core/events.js';
import { LanchatNode } from '../../src/core/node.js';
import { MAX_PEERS } from '../../src/core/peer-caps.js';
import { DEFAULT_NETWORK_KEY } from '../../src/crypto/network-key.js';
import { StaticPeers } from '../../src/discovery/static-peers.js';
import { base64Of } from '../../src/identity/ids.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { createTcpTransport } from '../../src/transport/tcp-transport.js';

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const BASE_DIR = process.env.BENCH_DIR ?? '/tmp';

type Request = { rid: number; cmd: string } & Record<string, unknown>;

interface Hosted {
  nick: string;
  dir: string;
  node: LanchatNode;
  store: Store;
  /** message id → arrival time of its `message` event. */
  received: Map<string, number>;
  /** message id → recipients that acked so far. */
  delivered: Map<string, number>;
  deliveredTotal: number;
  /** Checked after every event: cheap predicates of the waiting command. */
  waiters: Set<() => void>;
}

const hosted: Hosted[] = [];

function host(nick: string, peers: { key: string; port: number }[]): Hosted {
  const dir = mkdtempSync(join(BASE_DIR, `node-${nick}-`));
  const store = openSqliteStore({ path: join(dir, 'lanchat.db') });
  const discovery = new StaticPeers(
    peers.map((p) => ({
      publicKey: new Uint8Array(Buffer.from(p.key, 'base64')),
      host: '127.0.0.1',
      port: p.port,
    })),
    { lookup: async (h) => [h] },
  );
  const node = new LanchatNode(
    {
      identity: nacl.sign.keyPair(),
      networkKey: DEFAULT_NETWORK_KEY,
      transport: createTcpTransport(),
      discovery,
      store,
    },
    // Every bench node is on 127.0.0.1, up to 50 of them linked to one: lift the per-address cap
    // (16 identities, core/peer-caps.ts), which is about hosts on a LAN, not about this layout.
    { nick, port: 0, host: '127.0.0.1', limits: { peers: { perAddress: MAX_PEERS } } },
  );
  const h: Hosted = {
    nick,
    dir,
    node,
    store,
    received: new Map(),
    delivered: new Map(),
    deliveredTotal: 0,
    waiters: new Set(),
  };
  node.subscribe((e: NodeEvent) => {
    if (e.type === 'message') h.received.set(e.id, now());
    else if (e.type === 'delivered') {
      h.delivered.set(e.id, (h.delivered.get(e.id) ?? 0) + 1);
      h.deliveredTotal++;
    } else if (e.type === 'error') process.stderr.write(`${nick}: ${e.code}: ${e.message}\n`);
    for (const w of h.waiters) w();
  });
  return h;
}

/** Resolves once `done()` holds, re-checked after each event of `h`; rejects at the deadline. */
function until(h: Hosted, done: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      h.waiters.delete(check);
      reject(new Error(`${h.nick}: no ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    const check = (): void => {
      if (!done()) return;
      clearTimeout(timer);
      h.waiters.delete(check);
      resolve();
    };
    h.waiters.add(check);
  });
}

const onlineCount = (h: Hosted) => h.node.peerList().filter((p) => p.online).length;

async function waitOnline(min: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!hosted.every((h) => onlineCount(h) >= min)) {
    if (Date.now() > deadline) {
      const counts = hosted.map((h) => `${h.nick}=${onlineCount(h)}`).join(' ');
      throw new Error(`not all nodes reached ${min} online peers: ${counts}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

// ---- raw TCP JSON baseline: newline-delimited JSON, one small ack line per message ----

let rawServer: Server | undefined;
const rawReceived = new Map<string, number[]>();
const rawSockets = new Set<Socket>();

function onLines(socket: Socket, handle: (line: string) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      handle(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf('\n');
    }
  });
}

function rawListen(): Promise<number> {
  rawServer = createServer((socket) => {
    socket.setNoDelay(true);
    rawSockets.add(socket);
    socket.on('error', () => {});
    onLines(socket, (line) => {
      const at = now();
      const m = JSON.parse(line) as { id: string };
      const times = rawReceived.get(m.id);
      if (times) times.push(at);
      else rawReceived.set(m.id, [at]);
      socket.write(`${JSON.stringify({ t: 'ack', id: m.id })}\n`);
    });
  });
  return new Promise((resolve) =>
    rawServer!.listen(0, '127.0.0.1', () => resolve((rawServer!.address() as { port: number }).port)),
  );
}

interface RawClient {
  socket: Socket;
  acks: Map<string, number>;
  ackTotal: number;
  wake: (() => void) | undefined;
}

function rawConnect(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => resolve(client));
    socket.setNoDelay(true);
    socket.once('error', reject);
    rawSockets.add(socket);
    const client: RawClient = { socket, acks: new Map(), ackTotal: 0, wake: undefined };
    onLines(socket, (line) => {
      const m = JSON.parse(line) as { id: string };
      client.acks.set(m.id, now());
      client.ackTotal++;
      client.wake?.();
    });
  });
}

function rawUntil(clients: RawClient[], done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!done()) return;
      for (const c of clients) c.wake = undefined;
      resolve();
    };
    for (const c of clients) c.wake = check;
    check();
  });
}

const rawLine = (id: string, text: string) =>
  `${JSON.stringify({ t: 'msg', id, ts: Date.now(), text, kind: 'text' })}\n`;

/** Sequential messages to every port in `ports` (one connection each): t0, and when all acked. */
async function rawSequential(ports: number[], count: number, warmup: number, text: string) {
  const clients = await Promise.all(ports.map(rawConnect));
  const samples: [string, number, number][] = [];
  for (let i = 0; i < warmup + count; i++) {
    const id = `raw-${process.pid}-${i}-${Math.random().toString(36).slice(2, 8)}`;
    const t0 = now();
    for (const c of clients) c.socket.write(rawLine(id, text));
    await rawUntil(clients, () => clients.every((c) => c.acks.has(id)));
    const t1 = Math.max(...clients.map((c) => c.acks.get(id)!));
    if (i >= warmup) samples.push([id, t0, t1]);
  }
  for (const c of clients) c.socket.destroy();
  return samples;
}

async function rawFlood(port: number, count: number, text: string, chunk: number) {
  const [client] = await Promise.all([rawConnect(port)]);
  const c = client!;
  const t0 = now();
  for (let i = 0; i < count; ) {
    const end = Math.min(count, i + chunk);
    for (; i < end; i++) c.socket.write(rawLine(`flood-${i}`, text));
    await yieldLoop();
  }
  await rawUntil([c], () => c.ackTotal >= count);
  const t1 = now();
  c.socket.destroy();
  return { t0, t1 };
}

// ---- lanchat commands ----

async function dmSequential(to: string, count: number, warmup: number, text: string) {
  const h = hosted[0]!;
  const samples: [string, number, number][] = [];
  for (let i = 0; i < warmup + count; i++) {
    const t0 = now();
    const id = h.node.sendDirect(to, text);
    await until(h, () => h.delivered.has(id), `delivered ${id}`);
    const t1 = now();
    if (i >= warmup) samples.push([id, t0, t1]);
  }
  return samples;
}

async function roomSequential(room: string, count: number, warmup: number, text: string, members: number) {
  const h = hosted[0]!;
  const samples: [string, number, number][] = [];
  for (let i = 0; i < warmup + count; i++) {
    const t0 = now();
    const id = h.node.sendRoom(room, text);
    await until(h, () => (h.delivered.get(id) ?? 0) >= members, `${members} deliveries of ${id}`);
    const t1 = now();
    if (i >= warmup) samples.push([id, t0, t1]);
  }
  return samples;
}

/** `count` DMs queued as fast as a bot could pipe them in (`chunk` per event-loop turn). */
async function dmFlood(to: string, count: number, text: string, chunk: number) {
  const h = hosted[0]!;
  const before = h.deliveredTotal;
  const t0 = now();
  for (let i = 0; i < count; ) {
    const end = Math.min(count, i + chunk);
    // One batch per turn, as the headless mode does with the lines of one stdin read: one commit.
    h.node.batch(() => {
      for (; i < end; i++) h.node.sendDirect(to, text);
    });
    await yieldLoop();
  }
  const tQueued = now();
  await until(h, () => h.deliveredTotal - before >= count, `${count} deliveries`, 300_000);
  return { t0, tQueued, t1: now() };
}

/** Every hosted node sends one DM to each id in `to` (or to every online peer) and waits for acks. */
async function dmAll(to: string[] | undefined, text: string) {
  await Promise.all(
    hosted.map(async (h) => {
      const targets = to ?? h.node.peerList().flatMap((p) => (p.online ? [p.id] : []));
      const ids = targets.map((t) => h.node.sendDirect(t, text));
      await until(h, () => ids.every((id) => h.delivered.has(id)), 'deliveries');
    }),
  );
}

function memory(collect: boolean) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collect && gc) {
    gc();
    gc();
  }
  return { ...process.memoryUsage(), gc: Boolean(gc) };
}

async function quit(): Promise<void> {
  for (const s of rawSockets) s.destroy();
  rawServer?.close();
  await Promise.allSettled(hosted.map((h) => h.node.stop()));
  for (const h of hosted) {
    h.store.close();
    rmSync(h.dir, { recursive: true, force: true });
  }
}

async function handle(r: Request): Promise<Record<string, unknown>> {
  const num = (k: string) => Number(r[k]);
  const str = (k: string) => String(r[k]);
  switch (r.cmd) {
    case 'memory':
      return memory(r.gc === true);
    case 'start': {
      const specs = r.nodes as { nick: string; peers?: { key: string; port: number }[] }[];
      const started = specs.map((s) => host(s.nick, s.peers ?? []));
      hosted.push(...started);
      await Promise.all(started.map((h) => h.node.start()));
      return {
        nodes: started.map((h) => ({
          nick: h.nick,
          id: h.node.id,
          key: base64Of(h.node.publicKey),
          port: h.node.port,
        })),
      };
    }
    case 'wait-online':
      await waitOnline(num('min'), num('timeoutMs'));
      return {};
    case 'dm-seq':
      return { samples: await dmSequential(str('to'), num('count'), num('warmup'), str('text')) };
    case 'room-seq':
      return {
        samples: await roomSequential(str('room'), num('count'), num('warmup'), str('text'), num('members')),
      };
    case 'dm-flood':
      return await dmFlood(str('to'), num('count'), str('text'), num('chunk'));
    case 'dm-all':
      await dmAll(r.to as string[] | undefined, str('text'));
      return {};
    case 'received': {
      // Arrival times of the given ids, per hosted node (NaN when missing), then forgotten.
      const ids = r.ids as string[];
      const times = hosted.map((h) => ids.map((id) => h.received.get(id) ?? null));
      for (const h of hosted) h.received.clear();
      return { times };
    }
    case 'received-summary': {
      const all = hosted.flatMap((h) => [...h.received.values()]);
      for (const h of hosted) h.received.clear();
      return { count: all.length, last: all.length ? Math.max(...all) : null };
    }
    case 'raw-listen':
      return { port: await rawListen() };
    case 'raw-seq':
      return {
        samples: await rawSequential(r.ports as number[], num('count'), num('warmup'), str('text')),
      };
    case 'raw-flood':
      return await rawFlood(num('port'), num('count'), str('text'), num('chunk'));
    case 'raw-received': {
      const ids = r.ids as string[];
      const times = ids.map((id) => rawReceived.get(id) ?? []);
      rawReceived.clear();
      return { times };
    }
    case 'raw-received-summary': {
      let count = 0;
      let last = 0;
      for (const t of rawReceived.values()) {
        count += t.length;
        last = Math.max(last, ...t);
      }
      rawReceived.clear();
      return { count, last };
    }
    case 'quit':
      await quit();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${r.cmd}`);
  }
}

const reply = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

createInterface({ input: process.stdin, terminal: false }).on('line', (line) => {
  const r = JSON.parse(line) as Request;
  handle(r).then(
    (result) => reply({ rid: r.rid, ok: true, ...result }),
    (err: unknown) => reply({ rid: r.rid, ok: false, error: err instanceof Error ? err.stack : String(err) }),
  );
});
// The parent going away (stdin closed) ends the child too, so no orphan keeps ports or files.
process.stdin.on('end', () => {
  void quit().finally(() => process.exit(0));
});
reply({ rid: 0, ok: true, ready: true, pid: process.pid });
