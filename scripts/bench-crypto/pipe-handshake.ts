// One full handshake, both sides in this process, over a minimal in-memory connection: what the
// handshake benchmarks time (bench-crypto.ts warm, bench-crypto/cold-handshakes.ts cold). The
// drivers only need a Duplex; each write reaches the other end on a later turn of the event loop,
// as a socket's would.
import { Duplex } from 'node:stream';
import type { HandshakeLimiter } from '../../src/crypto/handshake-limiter.js';
import { DEFAULT_NETWORK_KEY } from '../../src/crypto/network-key.js';
import { secureClient, secureServer } from '../../src/crypto/secure-handshake.js';
import type { Ed25519KeyPair } from '../../src/crypto/shs-keys.js';

export function pipePair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  for (let i = 0; i < 2; i++) {
    ends.push(
      new Duplex({
        read() {},
        write(chunk: Buffer, _enc, cb) {
          setImmediate(() => {
            ends[1 - i]!.push(chunk);
            cb();
          });
        },
        final(cb) {
          setImmediate(() => ends[1 - i]!.push(null));
          cb();
        },
      }),
    );
  }
  return [ends[0]!, ends[1]!];
}

export async function pipeHandshake(
  client: Ed25519KeyPair,
  server: Ed25519KeyPair,
  limiter: HandshakeLimiter,
): Promise<void> {
  const [a, b] = pipePair();
  const [c, s] = await Promise.all([
    secureClient(a, { identity: client, networkKey: DEFAULT_NETWORK_KEY, serverPublicKey: server.publicKey }),
    secureServer(b, { identity: server, networkKey: DEFAULT_NETWORK_KEY, limiter }),
  ]);
  c.destroy();
  s.destroy();
}
