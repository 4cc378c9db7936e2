// The two secretbox engines are interchangeable: for any key, nonce and message, libsodium's box is
// byte-for-byte tweetnacl's (and nacl.secretbox's), each opens the other's, and a box with any one
// bit flipped opens in neither, which leaves the output buffer as it was.
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { beforeAll, describe, expect, it } from 'vitest';
import { libsodiumSecretbox } from '../../src/crypto/secretbox-libsodium.js';
import {
  BOX_ZERO_BYTES,
  type SecretboxEngine,
  secretboxOpenRaw,
  secretboxRaw,
  tweetnaclSecretbox,
  ZERO_BYTES,
} from '../../src/crypto/secretbox-raw.js';

let sodium: SecretboxEngine;
beforeAll(async () => {
  sodium = await libsodiumSecretbox();
});

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });

function boxWith(engine: SecretboxEngine, message: Uint8Array, nonce: Uint8Array, key: Uint8Array) {
  const padded = new Uint8Array(ZERO_BYTES + message.length);
  padded.set(message, ZERO_BYTES);
  // Garbage where the box goes: an engine that skipped a byte would show it.
  const out = new Uint8Array(padded.length).fill(0xee);
  engine.box(out, padded, padded.length, nonce, key);
  return out;
}

function openWith(engine: SecretboxEngine, box: Uint8Array, nonce: Uint8Array, key: Uint8Array) {
  const out = new Uint8Array(box.length).fill(0xee);
  const ok = engine.open(out, box, box.length, nonce, key);
  return { ok, out };
}

function agree(message: Uint8Array, nonce: Uint8Array, key: Uint8Array, flip: number): void {
  const fromNacl = boxWith(tweetnaclSecretbox, message, nonce, key);
  const fromSodium = boxWith(sodium, message, nonce, key);
  expect(Buffer.from(fromSodium).equals(fromNacl)).toBe(true);
  // The layout: 16 zero bytes, then what nacl.secretbox returns (MAC ‖ ciphertext).
  expect(fromSodium.subarray(0, BOX_ZERO_BYTES).every((b) => b === 0)).toBe(true);
  expect(Buffer.from(fromSodium.subarray(BOX_ZERO_BYTES)).equals(nacl.secretbox(message, nonce, key))).toBe(
    true,
  );
  const padded = Buffer.concat([Buffer.alloc(ZERO_BYTES), message]);
  for (const [opener, box] of [
    [sodium, fromNacl],
    [tweetnaclSecretbox, fromSodium],
  ] as const) {
    const opened = openWith(opener, box, nonce, key);
    expect(opened.ok).toBe(true);
    expect(Buffer.from(opened.out).equals(padded)).toBe(true);
  }
  // Any one bit of MAC or ciphertext.
  const bit = flip % ((fromNacl.length - BOX_ZERO_BYTES) * 8);
  const at = BOX_ZERO_BYTES + (bit >> 3);
  const tampered = Uint8Array.from(fromNacl);
  tampered[at]! ^= 1 << (bit & 7);
  for (const opener of [tweetnaclSecretbox, sodium]) {
    const opened = openWith(opener, tampered, nonce, key);
    expect(opened.ok, `${opener.name} opened a box with byte ${at} changed`).toBe(false);
    expect(opened.out.every((b) => b === 0xee)).toBe(true);
  }
}

describe('secretbox engines', () => {
  it('libsodium is loaded and is not tweetnacl under another name', () => {
    expect(sodium.name).toBe('libsodium');
    expect(sodium).not.toBe(tweetnaclSecretbox);
  });

  it('agree on random keys, nonces and messages of 0..4200 bytes (300 cases)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 4200, size: 'max' }),
        bytes(24),
        bytes(32),
        fc.nat(),
        (message, nonce, key, flip) => agree(message, nonce, key, flip),
      ),
      { numRuns: 300 },
    );
  });

  it('agree on messages up to 70 000 bytes (file chunks and beyond; 20 cases)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4097, max: 70_000 }),
        bytes(24),
        bytes(32),
        fc.nat(),
        (length, nonce, key, flip) => {
          const message = nacl.randomBytes(length);
          agree(message, nonce, key, flip);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('agree at the edges: empty message, box-stream header and body sizes', () => {
    const key = nacl.randomBytes(32);
    const nonce = nacl.randomBytes(24);
    for (const length of [0, 1, 15, 16, 17, 18, 63, 64, 65, 4095, 4096])
      agree(nacl.randomBytes(length), nonce, key, length * 13);
  });

  it('a wrong key or nonce opens in neither', () => {
    const key = nacl.randomBytes(32);
    const nonce = nacl.randomBytes(24);
    const box = boxWith(tweetnaclSecretbox, nacl.randomBytes(100), nonce, key);
    const otherKey = Uint8Array.from(key);
    otherKey[31]! ^= 0x80;
    const otherNonce = Uint8Array.from(nonce);
    otherNonce[0]! ^= 1;
    for (const engine of [tweetnaclSecretbox, sodium]) {
      expect(openWith(engine, box, nonce, otherKey).ok).toBe(false);
      expect(openWith(engine, box, otherNonce, key).ok).toBe(false);
      expect(openWith(engine, box, nonce, key).ok).toBe(true);
    }
  });

  it('refuses lengths below the 32-byte NaCl prefix instead of ignoring them', () => {
    const buffer = new Uint8Array(64);
    const key = new Uint8Array(32);
    const nonce = new Uint8Array(24);
    expect(() => secretboxRaw(buffer, buffer, 31, nonce, key)).toThrow(RangeError);
    expect(secretboxOpenRaw(buffer, buffer, 31, nonce, key)).toBe(false);
  });
});
