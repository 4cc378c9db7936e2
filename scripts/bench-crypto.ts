// Secure-channel benchmark: handshake CPU per side and in total (warm, then in fresh processes),
// and box-stream throughput next to raw nacl.secretbox on the same 4 KiB bodies, all measured in
// this one run. Prints one markdown table. Targets (../shared/notes): full handshake <= 25 ms CPU both sides; box-stream >= 85 % of
// raw secretbox.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import nacl from 'tweetnacl';
import { BoxStreamDecoder } from '../src/crypto/box-stream-decoder.js';
import { BoxStreamEncoder } from '../src/crypto/box-stream-encoder.js';
import { HandshakeLimiter } from '../src/crypto/handshake-limiter.js';
import { DEFAULT_NETWORK_KEY } from '../src/crypto/network-key.js';
import {
  clientAuth,
  clientHello,
  clientVerifyServerAccept,
  clientVerifyServerHello,
  createClient,
} from '../src/crypto/shs-client.js';
import {
  createServer,
  serverAccept,
  serverHello,
  serverSessionKeys,
  serverVerifyClientAuth,
  serverVerifyClientHello,
} from '../src/crypto/shs-server.js';
import { pipeHandshake } from './bench-crypto/pipe-handshake.js';

const HANDSHAKES = 60;
const BODY_BYTES = 4096;
const BODIES = 4096; // 16 MiB per round
const ROUNDS = 5;
const COLD_HANDSHAKES = 100;
const COLD_RUNS = 5;
const K = DEFAULT_NETWORK_KEY;
const alice = nacl.sign.keyPair();
const bob = nacl.sign.keyPair();

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/** CPU per side, from the pure steps (no I/O), so each side's cost is attributed exactly. */
function perSide(): { client: number; server: number } {
  let client = 0;
  let server = 0;
  for (let i = 0; i < HANDSHAKES; i++) {
    let t = process.cpuUsage();
    const c0 = createClient({ identity: alice, networkKey: K, serverPublicKey: bob.publicKey });
    const m1 = clientHello(c0);
    client += cpuMs(t);
    t = process.cpuUsage();
    const s0 = createServer({ identity: bob, networkKey: K });
    const s1 = serverVerifyClientHello(s0, m1);
    const m2 = serverHello(s1);
    server += cpuMs(t);
    t = process.cpuUsage();
    const c1 = clientVerifyServerHello(c0, m2);
    const m3 = clientAuth(c1);
    client += cpuMs(t);
    t = process.cpuUsage();
    const s2 = serverVerifyClientAuth(s1, m3);
    const m4 = serverAccept(s2);
    serverSessionKeys(s2);
    server += cpuMs(t);
    t = process.cpuUsage();
    clientVerifyServerAccept(c1, m4);
    client += cpuMs(t);
  }
  return { client: client / HANDSHAKES, server: server / HANDSHAKES };
}

/** Both drivers over in-memory pairs: everything a real handshake costs except the kernel. */
async function fullHandshake(): Promise<number> {
  const limiter = new HandshakeLimiter();
  const start = process.cpuUsage();
  for (let i = 0; i < HANDSHAKES; i++) {
    await pipeHandshake(alice, bob, limiter);
  }
  return cpuMs(start) / HANDSHAKES;
}

/** The first COLD_HANDSHAKES handshakes of a fresh process (see bench-crypto/cold-handshakes.ts),
 * median of COLD_RUNS processes: a floor's nodes are cold processes, each meeting new peers. */
function coldHandshakes(): number {
  const hex = (pair: nacl.SignKeyPair) => ({
    publicKey: Buffer.from(pair.publicKey).toString('hex'),
    secretKey: Buffer.from(pair.secretKey).toString('hex'),
  });
  const child = fileURLToPath(new URL('./bench-crypto/cold-handshakes.ts', import.meta.url));
  const perHandshake: number[] = [];
  for (let run = 0; run < COLD_RUNS; run++) {
    const input = JSON.stringify({
      us: hex(nacl.sign.keyPair()),
      peers: Array.from({ length: COLD_HANDSHAKES }, () => hex(nacl.sign.keyPair())),
    });
    const output = execFileSync(process.execPath, ['--import', 'tsx', child], { input, encoding: 'utf8' });
    const { cpuMs: ms } = JSON.parse(output) as { cpuMs: number };
    perHandshake.push(ms / COLD_HANDSHAKES);
  }
  return median(perHandshake);
}

function megabytesPerSecond(bytes: number, ms: number): number {
  return bytes / (1024 * 1024) / (ms / 1000);
}

function boxStreamThroughput(bodies: Uint8Array[]): number {
  const key = nacl.randomBytes(32);
  const nonce = nacl.randomBytes(24);
  const encoder = new BoxStreamEncoder(key, nonce);
  const decoder = new BoxStreamDecoder(key, nonce);
  const start = process.cpuUsage();
  let received = 0;
  for (const body of bodies) {
    for (const message of decoder.push(encoder.encode(body)).messages) received += message.length;
  }
  const ms = cpuMs(start);
  if (received !== bodies.length * BODY_BYTES) throw new Error('box-stream lost data');
  return megabytesPerSecond(received, ms);
}

function rawSecretboxThroughput(bodies: Uint8Array[]): number {
  const key = nacl.randomBytes(32);
  const nonce = nacl.randomBytes(24);
  const start = process.cpuUsage();
  let received = 0;
  for (const body of bodies) {
    const opened = nacl.secretbox.open(nacl.secretbox(body, nonce, key), nonce, key);
    received += opened ? opened.length : 0;
  }
  const ms = cpuMs(start);
  if (received !== bodies.length * BODY_BYTES) throw new Error('secretbox lost data');
  return megabytesPerSecond(received, ms);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  perSide(); // warm up the JIT before measuring
  const sides = perSide();
  await fullHandshake();
  const full = await fullHandshake();
  const cold = coldHandshakes();
  const bodies = Array.from({ length: BODIES }, () => nacl.randomBytes(BODY_BYTES));
  boxStreamThroughput(bodies.slice(0, 256));
  rawSecretboxThroughput(bodies.slice(0, 256));
  // Interleave rounds so that drift (thermal, other processes) hits both alike.
  const ours: number[] = [];
  const raw: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(boxStreamThroughput(bodies));
    raw.push(rawSecretboxThroughput(bodies));
  }
  const oursMb = median(ours);
  const rawMb = median(raw);
  const f = (n: number, digits = 2) => n.toFixed(digits);
  const lines = [
    `Secure channel benchmark — node ${process.version}, ${HANDSHAKES} handshakes, ${ROUNDS}×${BODIES} bodies of ${BODY_BYTES} B (CPU time, process.cpuUsage)`,
    '',
    '| measurement | result | compared with | ratio | target |',
    '|---|---|---|---|---|',
    `| handshake CPU, client side (pure steps) | ${f(sides.client)} ms | server side ${f(sides.server)} ms | ${f(sides.client / sides.server)} | — |`,
    `| handshake CPU, server side (pure steps) | ${f(sides.server)} ms | client side ${f(sides.client)} ms | ${f(sides.server / sides.client)} | — |`,
    `| full handshake, both sides (drivers, in-memory duplex) | ${f(full)} ms | sum of pure steps ${f(sides.client + sides.server)} ms | ${f(full / (sides.client + sides.server))} | ≤ 25 ms: ${full <= 25 ? 'met' : 'MISSED'} |`,
    `| first ${COLD_HANDSHAKES} handshakes of a fresh process, both sides, a new peer each (median of ${COLD_RUNS} processes) | ${f(cold)} ms each | warm full handshake ${f(full)} ms | ${f(cold / full)} | — |`,
    `| box-stream encode+decode, 4 KiB bodies | ${f(oursMb, 1)} MB/s | raw nacl.secretbox+open ${f(rawMb, 1)} MB/s | ${f((oursMb / rawMb) * 100, 0)} % | ≥ 85 %: ${oursMb / rawMb >= 0.85 ? 'met' : 'MISSED'} |`,
  ];
  console.log(lines.join('\n'));
}

await main();
