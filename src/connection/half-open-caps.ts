// Caps on accepted connections that have not yet sent a complete hello, per address and in total.
//
// The handshake limiter (crypto/handshake-limiter.ts) bounds the handshakes themselves, but a
// connection leaves it as soon as its handshake completes: from then until its hello (up to
// ACCEPT_TO_HELLO_MS) nothing bounded how many one address could hold, each with its sockets,
// box-stream state and decoder. A connection counts here from the accept to its hello or its end;
// beyond a cap it is closed at once (like OpenSSH's MaxStartups), so one address cannot take the
// slots that the rest of the LAN needs, and the whole LAN cannot exhaust file descriptors.

import { AddressCounts } from '../crypto/address-counts.js';

/** Enough for the handshake limiter's 8 running + 16 waiting per address, with room to spare. */
export const MAX_HALF_OPEN_PER_ADDRESS = 32;
/** As many as the handshake limiter lets wait in total. */
export const MAX_HALF_OPEN = 512;

export interface HalfOpenLimits {
  readonly perAddress?: number;
  readonly total?: number;
}

export type HalfOpenRefusal = 'address-full' | 'full';

export class HalfOpenCaps {
  readonly #perAddressMax: number;
  readonly #totalMax: number;
  readonly #open = new AddressCounts();

  constructor(limits: HalfOpenLimits = {}) {
    this.#perAddressMax = limits.perAddress ?? MAX_HALF_OPEN_PER_ADDRESS;
    this.#totalMax = limits.total ?? MAX_HALF_OPEN;
  }

  /** A release function (idempotent), or why the connection must be closed. */
  acquire(address: string): { release: () => void } | { refused: HalfOpenRefusal; limit: number } {
    if (this.#open.from(address) >= this.#perAddressMax) {
      return { refused: 'address-full', limit: this.#perAddressMax };
    }
    if (this.#open.total >= this.#totalMax) return { refused: 'full', limit: this.#totalMax };
    return { release: this.#open.add(address) };
  }

  get total(): number {
    return this.#open.total;
  }

  from(address: string): number {
    return this.#open.from(address);
  }
}
