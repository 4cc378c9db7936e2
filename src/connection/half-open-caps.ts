// Caps on accepted connections that have not yet sent a complete hello, per address and in total.
//
// The handshake limiter (crypto/handshake-limiter.ts) bounds the handshakes themselves, but a
// connection leaves it as soon as its handshake completes: from then until its hello (up to
// ACCEPT_TO_HELLO_MS) nothing bounded how many one address could hold, each with its sockets,
// box-stream state and decoder. A connection counts here from the accept to its hello or its end;
// beyond a cap it is closed at once (like OpenSSH's MaxStartups), so one address cannot take the
// slots that the rest of the LAN needs, and the whole LAN cannot exhaust file descriptors.

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
  readonly #perAddress = new Map<string, number>();
  #total = 0;

  constructor(limits: HalfOpenLimits = {}) {
    this.#perAddressMax = limits.perAddress ?? MAX_HALF_OPEN_PER_ADDRESS;
    this.#totalMax = limits.total ?? MAX_HALF_OPEN;
  }

  /** A release function (idempotent), or why the connection must be closed. */
  acquire(address: string): { release: () => void } | { refused: HalfOpenRefusal; limit: number } {
    const mine = this.#perAddress.get(address) ?? 0;
    if (mine >= this.#perAddressMax) return { refused: 'address-full', limit: this.#perAddressMax };
    if (this.#total >= this.#totalMax) return { refused: 'full', limit: this.#totalMax };
    this.#perAddress.set(address, mine + 1);
    this.#total++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#total--;
        const left = (this.#perAddress.get(address) ?? 1) - 1;
        if (left === 0) this.#perAddress.delete(address);
        else this.#perAddress.set(address, left);
      },
    };
  }

  get total(): number {
    return this.#total;
  }

  from(address: string): number {
    return this.#perAddress.get(address) ?? 0;
  }
}
