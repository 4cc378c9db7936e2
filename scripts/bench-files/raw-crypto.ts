// The crypto ceilings for bench:files, measured in this process on both secretbox engines: the
// plain allocating call (nacl.secretbox / libsodium's crypto_secretbox_easy) on the body size
// box-stream uses (4 KiB) and on a whole 64 KiB file chunk, crypto_secretbox into caller-owned
// buffers as box-stream calls it, and our box-stream encoder and decoder on 64 KiB writes (what
// the data link does per chunk).
import sodium from 'libsodium-wrappers';
import nacl from 'tweetnacl';
import { BoxStreamDecoder } from '../../src/crypto/box-stream-decoder.js';
import { BoxStreamEncoder } from '../../src/crypto/box-stream-encoder.js';
import { libsodiumSecretbox } from '../../src/crypto/secretbox-libsodium.js';
import {
  type SecretboxEngine,
  type SecretboxEngineName,
  secretboxEngine,
  secretboxRaw,
  tweetnaclSecretbox,
  useSecretboxEngine,
  ZERO_BYTES,
} from '../../src/crypto/secretbox-raw.js';

const BUDGET_MS = 1_500;

function rate(bytesPerCall: number, call: () => void): number {
  for (let i = 0; i < 50; i++) call(); // warm the JIT
  let bytes = 0;
  const start = performance.now();
  while (performance.now() - start < BUDGET_MS) {
    for (let i = 0; i < 32; i++) call();
    bytes += 32 * bytesPerCall;
  }
  return bytes / ((performance.now() - start) / 1000) / 1e6;
}

export interface EngineRates {
  /** nacl.secretbox / sodium.crypto_secretbox_easy: allocates its output per call. */
  secretbox4k: number;
  secretbox64k: number;
  /** crypto_secretbox into caller-owned buffers (secretboxRaw): what box-stream calls. */
  secretboxRaw4k: number;
  boxStreamEncode64k: number;
  boxStreamDecode64k: number;
}

export type CryptoRates = Record<SecretboxEngineName, EngineRates>;

export async function measureCrypto(): Promise<CryptoRates> {
  const fast = await libsodiumSecretbox();
  await sodium.ready;
  const before = secretboxEngine();
  try {
    return {
      tweetnacl: measureEngine(tweetnaclSecretbox, (m, n, k) => nacl.secretbox(m, n, k)),
      libsodium: measureEngine(fast, (m, n, k) => sodium.crypto_secretbox_easy(m, n, k)),
    };
  } finally {
    useSecretboxEngine(before === 'libsodium' ? fast : tweetnaclSecretbox);
  }
}

function measureEngine(
  engine: SecretboxEngine,
  secretbox: (message: Uint8Array, nonce: Uint8Array, key: Uint8Array) => Uint8Array,
): EngineRates {
  useSecretboxEngine(engine);
  const key = nacl.randomBytes(32);
  const nonce = nacl.randomBytes(24);
  const small = nacl.randomBytes(4096);
  const big = nacl.randomBytes(64 * 1024);
  const secretbox4k = rate(small.length, () => secretbox(small, nonce, key));
  const secretbox64k = rate(big.length, () => secretbox(big, nonce, key));
  const padded = new Uint8Array(ZERO_BYTES + small.length);
  padded.set(small, ZERO_BYTES);
  const out = new Uint8Array(padded.length);
  const secretboxRaw4k = rate(small.length, () => secretboxRaw(out, padded, padded.length, nonce, key));
  const encoder = new BoxStreamEncoder(key, nonce);
  const boxStreamEncode64k = rate(big.length, () => encoder.encode(big));
  // Decode a pre-encoded stream: encode a batch once, then decode it with a fresh decoder per lap.
  const wire = (() => {
    const e = new BoxStreamEncoder(key, nonce);
    return Array.from({ length: 64 }, () => e.encode(big));
  })();
  let decoder = new BoxStreamDecoder(key, nonce);
  let at = 0;
  const boxStreamDecode64k = rate(big.length, () => {
    if (at === wire.length) {
      decoder = new BoxStreamDecoder(key, nonce);
      at = 0;
    }
    decoder.push(wire[at++]!);
  });
  return { secretbox4k, secretbox64k, secretboxRaw4k, boxStreamEncode64k, boxStreamDecode64k };
}
