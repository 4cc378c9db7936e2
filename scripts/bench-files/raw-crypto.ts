// The crypto ceilings for bench:files, measured in this process: raw nacl.secretbox on the body
// size box-stream uses (4 KiB) and on a whole 64 KiB file chunk, and our box-stream encoder and
// decoder on 64 KiB writes (what the data link does per chunk).
import nacl from 'tweetnacl';
import { BoxStreamDecoder } from '../../src/crypto/box-stream-decoder.js';
import { BoxStreamEncoder } from '../../src/crypto/box-stream-encoder.js';
import { secretboxRaw, ZERO_BYTES } from '../../src/crypto/secretbox-raw.js';

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

export interface CryptoRates {
  secretbox4k: number;
  /** crypto_secretbox on 4 KiB without nacl.secretbox's allocation and copy: box-stream's ceiling. */
  secretboxRaw4k: number;
  secretbox64k: number;
  boxStreamEncode64k: number;
  boxStreamDecode64k: number;
}

export function measureCrypto(): CryptoRates {
  const key = nacl.randomBytes(32);
  const nonce = nacl.randomBytes(24);
  const small = nacl.randomBytes(4096);
  const big = nacl.randomBytes(64 * 1024);
  const secretbox4k = rate(small.length, () => nacl.secretbox(small, nonce, key));
  const padded = new Uint8Array(ZERO_BYTES + small.length);
  padded.set(small, ZERO_BYTES);
  const out = new Uint8Array(padded.length);
  const secretboxRaw4k = rate(small.length, () => secretboxRaw(out, padded, padded.length, nonce, key));
  const secretbox64k = rate(big.length, () => nacl.secretbox(big, nonce, key));
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
  return { secretbox4k, secretboxRaw4k, secretbox64k, boxStreamEncode64k, boxStreamDecode64k };
}
