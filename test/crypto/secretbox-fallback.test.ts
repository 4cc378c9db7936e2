// When libsodium cannot load, or loads but boxes differently from tweetnacl, box-stream stays on
// tweetnacl: loadFastSecretbox says so and never rejects. Each case loads the modules afresh with
// libsodium-wrappers replaced.
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.doUnmock('libsodium-wrappers');
  vi.resetModules();
});

async function freshModules() {
  vi.resetModules();
  const loader = await import('../../src/crypto/secretbox-libsodium.js');
  const raw = await import('../../src/crypto/secretbox-raw.js');
  const { BoxStreamEncoder } = await import('../../src/crypto/box-stream-encoder.js');
  const { BoxStreamDecoder } = await import('../../src/crypto/box-stream-decoder.js');
  const roundTrip = () => {
    const key = new Uint8Array(32).fill(1);
    const nonce = new Uint8Array(24);
    const wire = new BoxStreamEncoder(key, nonce).encode(Buffer.from('still works'));
    return Buffer.concat(new BoxStreamDecoder(key, nonce).push(wire).messages).toString();
  };
  return { ...loader, ...raw, roundTrip };
}

describe('loadFastSecretbox fallback', () => {
  it('uses libsodium when it loads (the control for the cases below)', async () => {
    const m = await freshModules();
    expect(await m.loadFastSecretbox()).toBe('libsodium');
    expect(m.secretboxEngine()).toBe('libsodium');
  });

  it('stays on tweetnacl when libsodium fails to initialise', async () => {
    vi.doMock('libsodium-wrappers', () => ({
      default: { ready: Promise.reject(new Error('WebAssembly is disabled')) },
    }));
    const m = await freshModules();
    await expect(m.libsodiumSecretbox()).rejects.toThrow('WebAssembly is disabled');
    expect(await m.loadFastSecretbox()).toBe('tweetnacl');
    expect(m.secretboxEngine()).toBe('tweetnacl');
    expect(m.roundTrip()).toBe('still works');
  });

  it('stays on tweetnacl when libsodium boxes differently (self-check)', async () => {
    vi.doMock('libsodium-wrappers', () => ({
      default: {
        ready: Promise.resolve(),
        crypto_secretbox_easy: (message: Uint8Array) => new Uint8Array(16 + message.length),
        crypto_secretbox_open_easy: (box: Uint8Array) => new Uint8Array(box.length - 16),
      },
    }));
    const m = await freshModules();
    await expect(m.libsodiumSecretbox()).rejects.toThrow('disagrees with tweetnacl');
    expect(await m.loadFastSecretbox()).toBe('tweetnacl');
    expect(m.secretboxEngine()).toBe('tweetnacl');
    expect(m.roundTrip()).toBe('still works');
  });
});
