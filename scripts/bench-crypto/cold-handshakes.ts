// Child of bench-crypto.ts: the CPU of the first handshakes of a fresh process, the way a node of
// a floor started at once spends it: cold JIT, empty key caches, and a different peer each time
// (so no conversion or import of a peer's key is reused). Keys come on stdin (hex JSON) so that
// nothing in this process has run any crypto before the clock starts. Both sides run here, half
// the handshakes dialled by us, half by the peer; each peer's side also pays its own identity's
// first-use costs, which a real node pays once, so this errs on the high side.
import { HandshakeLimiter } from '../../src/crypto/handshake-limiter.js';
import type { Ed25519KeyPair } from '../../src/crypto/shs-keys.js';
import { pipeHandshake } from './pipe-handshake.js';

interface HexPair {
  readonly publicKey: string;
  readonly secretKey: string;
}

const fromHex = (pair: HexPair): Ed25519KeyPair => ({
  publicKey: new Uint8Array(Buffer.from(pair.publicKey, 'hex')),
  secretKey: new Uint8Array(Buffer.from(pair.secretKey, 'hex')),
});

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

const input = JSON.parse(await readStdin()) as { us: HexPair; peers: HexPair[] };
const us = fromHex(input.us);
const peers = input.peers.map(fromHex);
const limiter = new HandshakeLimiter();
const start = process.cpuUsage();
for (let i = 0; i < peers.length; i++) {
  const peer = peers[i]!;
  if (i % 2 === 0) await pipeHandshake(us, peer, limiter);
  else await pipeHandshake(peer, us, limiter);
}
const used = process.cpuUsage(start);
process.stdout.write(`${JSON.stringify({ cpuMs: (used.user + used.system) / 1000 })}\n`);
