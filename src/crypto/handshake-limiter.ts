// Caps on half-open handshakes. A handshake costs the server ~10 ms of CPU (two signatures' worth
// of Ed25519 plus four DH), so unbounded concurrent handshakes are a cheap way to burn a peer's
// CPU. One limiter is meant to be shared by every incoming connection of a node.

export const MAX_HANDSHAKES_IN_PROGRESS = 64;
export const MAX_HANDSHAKES_PER_ADDRESS = 8;

export interface HandshakeLimits {
  readonly maxTotal?: number;
  readonly maxPerAddress?: number;
}

export class HandshakeLimiter {
  readonly #maxTotal: number;
  readonly #maxPerAddress: number;
  readonly #perAddress = new Map<string, number>();
  #total = 0;

  constructor(limits: HandshakeLimits = {}) {
    this.#maxTotal = limits.maxTotal ?? MAX_HANDSHAKES_IN_PROGRESS;
    this.#maxPerAddress = limits.maxPerAddress ?? MAX_HANDSHAKES_PER_ADDRESS;
  }

  /** A release function for one handshake slot, or undefined when a limit is reached. Releasing
   * twice is harmless, so every exit path can simply call it. */
  tryAcquire(address: string): (() => void) | undefined {
    const current = this.#perAddress.get(address) ?? 0;
    if (this.#total >= this.#maxTotal || current >= this.#maxPerAddress) return undefined;
    this.#total++;
    this.#perAddress.set(address, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const left = (this.#perAddress.get(address) ?? 1) - 1;
      if (left === 0) this.#perAddress.delete(address);
      else this.#perAddress.set(address, left);
    };
  }

  get inProgress(): number {
    return this.#total;
  }

  inProgressFrom(address: string): number {
    return this.#perAddress.get(address) ?? 0;
  }
}

/** Shared by every secureServer() call that is not given its own limiter. */
export const defaultHandshakeLimiter = new HandshakeLimiter();
