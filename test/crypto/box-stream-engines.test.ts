// Box-stream does not care which secretbox engine boxes or opens any single box: a stream encoded
// on one engine decodes on the other, and the engine may change between any two boxes of a stream
// (as it does when loadFastSecretbox finishes while a link is open). Tampering fails on both.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { BoxStreamDecoder } from '../../src/crypto/box-stream-decoder.js';
import { BoxStreamEncoder } from '../../src/crypto/box-stream-encoder.js';
import { BoxStreamError } from '../../src/crypto/box-stream-error.js';
import { libsodiumSecretbox, loadFastSecretbox } from '../../src/crypto/secretbox-libsodium.js';
import {
  type SecretboxEngine,
  secretboxEngine,
  tweetnaclSecretbox,
  useSecretboxEngine,
} from '../../src/crypto/secretbox-raw.js';
import { pull, refBoxStream } from './reference.js';

const key = new Uint8Array(32).fill(0x42);
const nonce = new Uint8Array(24).fill(0xff).fill(3, 0, 20); // carries into byte 19 on the 1st step

afterEach(() => useSecretboxEngine(tweetnaclSecretbox));

/** An engine that hands each call to tweetnacl or libsodium as `choices` say (cycling). */
function mixed(sodium: SecretboxEngine, choices: boolean[]): SecretboxEngine & { used: Set<string> } {
  let call = 0;
  const used = new Set<string>();
  const pick = () => {
    const engine = choices[call++ % choices.length] ? sodium : tweetnaclSecretbox;
    used.add(engine.name);
    return engine;
  };
  return {
    name: 'libsodium',
    used,
    box: (...args) => pick().box(...args),
    open: (...args) => pick().open(...args),
  };
}

function encodeAll(messages: Uint8Array[]): Buffer {
  const encoder = new BoxStreamEncoder(key, nonce);
  return Buffer.concat([...messages.map((m) => encoder.encode(m)), encoder.goodbye()]);
}

/** Decodes `wire` pushed in pieces cut at `cuts`; stops at the first BoxStreamError. */
function decodeAll(wire: Uint8Array, cuts: number[]) {
  const decoder = new BoxStreamDecoder(key, nonce);
  const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
  const received: Buffer[] = [];
  let from = 0;
  try {
    for (const to of [...points, wire.length]) {
      received.push(...decoder.push(wire.subarray(from, to)).messages);
      from = to;
    }
  } catch (error) {
    if (!(error instanceof BoxStreamError)) throw error;
    return { data: Buffer.concat(received), failed: true, ended: false };
  }
  return { data: Buffer.concat(received), failed: false, ended: decoder.ended };
}

function refDecode(wire: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pull(
      pull.values([wire]),
      refBoxStream.createUnboxStream(Buffer.from(key), Buffer.from(nonce)),
      pull.collect((err, chunks) => (err ? reject(err) : resolve(Buffer.concat(chunks)))),
    );
  });
}

describe('box-stream across secretbox engines', () => {
  it('gives the same wire bytes on tweetnacl, libsodium and any mix of the two per box', async () => {
    const sodium = await libsodiumSecretbox();
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 9000, size: 'max' }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (messages, encodeChoices, decodeChoices, cuts) => {
          useSecretboxEngine(tweetnaclSecretbox);
          const onNacl = encodeAll(messages);
          useSecretboxEngine(sodium);
          const onSodium = encodeAll(messages);
          useSecretboxEngine(mixed(sodium, encodeChoices));
          const onMix = encodeAll(messages);
          expect(onSodium.equals(onNacl)).toBe(true);
          expect(onMix.equals(onNacl)).toBe(true);
          const all = Buffer.concat(messages);
          for (const opener of [tweetnaclSecretbox, sodium, mixed(sodium, decodeChoices)]) {
            useSecretboxEngine(opener);
            const result = decodeAll(onNacl, cuts);
            expect([result.failed, result.ended]).toEqual([false, true]);
            expect(result.data.equals(all)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a flipped bit fails on the other engine and in any mix, delivering only a prefix', async () => {
    const sodium = await libsodiumSecretbox();
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 5000, size: 'max' }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
        fc.boolean(),
        (messages, flip, choices, encodeOnSodium) => {
          useSecretboxEngine(encodeOnSodium ? sodium : tweetnaclSecretbox);
          const wire = encodeAll(messages);
          const bit = flip % (wire.length * 8);
          wire[bit >> 3]! ^= 1 << (bit & 7);
          const all = Buffer.concat(messages);
          const other = encodeOnSodium ? tweetnaclSecretbox : sodium;
          for (const opener of [other, mixed(sodium, choices)]) {
            useSecretboxEngine(opener);
            const result = decodeAll(wire, []);
            expect(result.failed).toBe(true);
            expect(all.subarray(0, result.data.length).equals(result.data)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the mix really alternates engines (or the tests above would prove nothing)', async () => {
    const engine = mixed(await libsodiumSecretbox(), [true, false]);
    useSecretboxEngine(engine);
    encodeAll([new Uint8Array(10)]);
    expect([...engine.used].sort()).toEqual(['libsodium', 'tweetnacl']);
  });

  it('loadFastSecretbox switches a live stream mid-way; ours and the reference decode it whole', async () => {
    expect(secretboxEngine()).toBe('tweetnacl');
    const encoder = new BoxStreamEncoder(key, nonce);
    const decoder = new BoxStreamDecoder(key, nonce);
    const first = encoder.encode(Buffer.alloc(5000, 1)); // two messages, on tweetnacl
    const received = decoder.push(first.subarray(0, first.length - 20)).messages;
    // Another part of the program asks for the fast engine while this stream is open, with the
    // decoder holding half a body.
    const loading = loadFastSecretbox();
    expect(loadFastSecretbox()).toBe(loading); // one load, whoever asks
    expect(await loading).toBe('libsodium');
    expect(secretboxEngine()).toBe('libsodium');
    received.push(...decoder.push(first.subarray(first.length - 20)).messages);
    const second = encoder.encode(Buffer.alloc(3000, 2)); // on libsodium
    const goodbye = encoder.goodbye();
    received.push(...decoder.push(Buffer.concat([second, goodbye])).messages);
    const expected = Buffer.concat([Buffer.alloc(5000, 1), Buffer.alloc(3000, 2)]);
    expect(Buffer.concat(received).equals(expected)).toBe(true);
    expect(decoder.ended).toBe(true);
    expect((await refDecode(Buffer.concat([first, second, goodbye]))).equals(expected)).toBe(true);
    expect(await loadFastSecretbox()).toBe('libsodium'); // idempotent after it settled
  });
});
