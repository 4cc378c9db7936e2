// libsodium's crypto_secretbox (audited C compiled to WASM) as a box-stream engine, and the one
// call that switches box-stream over to it. tweetnacl stays the engine until the load finishes,
// and for good if it fails: the wire bytes are the same either way (see secretbox-raw.ts).
//
// libsodium is imported on demand, not at start-up. Measured on the 2-core dev VM (Node 20,
// libsodium-wrappers 0.8.4, from dist/): import + `await sodium.ready` takes 17–25 ms wall clock
// and ~20 ms of CPU, in pieces of which the longest holds the event loop 6–11 ms; RSS grows by
// ~10 MB, ~5 MB of it still there after a GC. Start-up and joining a LAN (the handshakes are
// CPU-bound) would pay that for nothing in a session that never sends a file, so the transfer
// code starts the load when a file is offered and awaits it before a data link moves a byte.
import type Sodium from 'libsodium-wrappers';
import {
  BOX_ZERO_BYTES,
  type SecretboxEngine,
  type SecretboxEngineName,
  tweetnaclSecretbox,
  useSecretboxEngine,
  ZERO_BYTES,
} from './secretbox-raw.js';

let engine: Promise<SecretboxEngine> | undefined;
let activation: Promise<SecretboxEngineName> | undefined;

/** libsodium wrapped as an engine; loaded once, rejects when it cannot load or fails its check. */
export function libsodiumSecretbox(): Promise<SecretboxEngine> {
  engine ??= (async () => {
    const { default: sodium } = await import('libsodium-wrappers');
    await sodium.ready;
    const wrapped = wrap(sodium);
    selfCheck(wrapped);
    return wrapped;
  })();
  return engine;
}

/** Switches box-stream to libsodium once it has loaded. Idempotent; never rejects: on failure
 * box-stream stays on tweetnacl. Resolves to the engine in use. */
export function loadFastSecretbox(): Promise<SecretboxEngineName> {
  activation ??= libsodiumSecretbox().then(
    (fast) => {
      useSecretboxEngine(fast);
      return fast.name;
    },
    () => tweetnaclSecretbox.name,
  );
  return activation;
}

// libsodium's "easy" layout is MAC ‖ ciphertext, which is exactly box[16..length) of the NaCl
// layout, so each call is one subarray in and one copy out. The wrapper copies into and out of
// the WASM heap per call; that costs less than the pure-JS cipher it replaces (bench:files).
function wrap(sodium: typeof Sodium): SecretboxEngine {
  return {
    name: 'libsodium',
    box(out, padded, length, nonce, key) {
      const sealed = sodium.crypto_secretbox_easy(padded.subarray(ZERO_BYTES, length), nonce, key);
      out.fill(0, 0, BOX_ZERO_BYTES);
      out.set(sealed, BOX_ZERO_BYTES);
    },
    open(out, box, length, nonce, key) {
      let plain: Uint8Array;
      try {
        plain = sodium.crypto_secretbox_open_easy(box.subarray(BOX_ZERO_BYTES, length), nonce, key);
      } catch {
        // The wrapper reports a bad MAC by throwing; lengths are checked by our callers.
        return false;
      }
      out.fill(0, 0, ZERO_BYTES);
      out.set(plain, ZERO_BYTES);
      return true;
    },
  };
}

/** A build that boxes differently from tweetnacl would break every link with a peer that is not
 * on it: compare one box both ways before use. */
function selfCheck(fast: SecretboxEngine): void {
  const length = ZERO_BYTES + 100;
  const padded = new Uint8Array(length);
  for (let i = ZERO_BYTES; i < length; i++) padded[i] = i;
  const key = new Uint8Array(32).fill(0x5a);
  const nonce = new Uint8Array(24).fill(0xa5);
  const expected = new Uint8Array(length);
  const actual = new Uint8Array(length);
  tweetnaclSecretbox.box(expected, padded, length, nonce, key);
  fast.box(actual, padded, length, nonce, key);
  const opened = new Uint8Array(length);
  if (
    !Buffer.from(actual).equals(expected) ||
    !fast.open(opened, expected, length, nonce, key) ||
    !Buffer.from(opened).equals(padded)
  ) {
    throw new Error('libsodium secretbox disagrees with tweetnacl');
  }
}
