// Caps on half-open handshakes, with a fair waiting line instead of a refusal.
//
// A handshake costs the server CPU (four DH and a signature check), so unbounded concurrent
// handshakes are a cheap way to burn a peer's CPU: at most MAX_HANDSHAKES_IN_PROGRESS run at once,
// at most MAX_HANDSHAKES_PER_ADDRESS of them from one address. One limiter is shared by every
// incoming connection of a node.
//
// Beyond the caps, a connection waits for a slot instead of being cut (issue 13): at 9:00 a whole
// floor dials at once, and an honest peer that was turned away had to notice, back off and dial
// again, which is more work for both sides than waiting a little. The line is bounded per address
// and in total, and served round-robin across addresses: one address that opens hundreds of
// connections (slowloris) waits behind itself, never in front of the others. A connection that
// waits longer than MAX_WAIT_MS, or whose socket closes while it waits, leaves the line.

import { AddressCounts } from './address-counts.js';

export const MAX_HANDSHAKES_IN_PROGRESS = 64;
export const MAX_HANDSHAKES_PER_ADDRESS = 8;
/** Connections that may wait for a slot, from one address and in total. */
export const MAX_WAITING_PER_ADDRESS = 16;
export const MAX_WAITING = 512;
/** A connection waits at most this long for a slot; its client has given up by then anyway. */
export const MAX_WAIT_MS = 10_000;

export interface HandshakeLimits {
  readonly maxTotal?: number;
  readonly maxPerAddress?: number;
  readonly maxWaitingPerAddress?: number;
  readonly maxWaiting?: number;
  readonly maxWaitMs?: number;
}

/** Why a connection got no slot. */
export type Refusal = 'full' | 'waited-too-long' | 'cancelled';

export class SlotRefused extends Error {
  constructor(readonly reason: Refusal) {
    super(`no handshake slot: ${reason}`);
  }
}

export interface LimiterTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: LimiterTimers = {
  setTimeout: (callback, ms) => {
    const t = setTimeout(callback, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Waiter {
  readonly address: string;
  readonly grant: (release: () => void) => void;
  readonly refuse: (reason: Refusal) => void;
  timer: unknown;
}

export class HandshakeLimiter {
  readonly #maxTotal: number;
  readonly #maxPerAddress: number;
  readonly #maxWaitingPerAddress: number;
  readonly #maxWaiting: number;
  readonly #maxWaitMs: number;
  readonly #timers: LimiterTimers;
  readonly #inProgress = new AddressCounts();
  /** Waiting connections per address, in arrival order; the map's order is the round-robin. */
  readonly #waiting = new Map<string, Waiter[]>();
  #waitingCount = 0;

  constructor(limits: HandshakeLimits = {}, timers: LimiterTimers = realTimers) {
    this.#maxTotal = limits.maxTotal ?? MAX_HANDSHAKES_IN_PROGRESS;
    this.#maxPerAddress = limits.maxPerAddress ?? MAX_HANDSHAKES_PER_ADDRESS;
    this.#maxWaitingPerAddress = limits.maxWaitingPerAddress ?? MAX_WAITING_PER_ADDRESS;
    this.#maxWaiting = limits.maxWaiting ?? MAX_WAITING;
    this.#maxWaitMs = limits.maxWaitMs ?? MAX_WAIT_MS;
    this.#timers = timers;
  }

  /** A release function for one handshake slot, or undefined when a limit is reached. Releasing
   * twice is harmless, so every exit path can simply call it. */
  tryAcquire(address: string): (() => void) | undefined {
    if (!this.#fits(address) || this.#waiting.has(address)) return undefined;
    return this.#take(address);
  }

  /**
   * A slot now, or as soon as one is free and it is this address's turn. Rejects with SlotRefused
   * when the line is full (at once), after MAX_WAIT_MS, or when `cancel` is called (the socket
   * closed while waiting). The returned cancel function does nothing once the slot is granted.
   */
  acquire(address: string): { slot: Promise<() => void>; cancel: () => void } {
    const immediate = this.tryAcquire(address);
    if (immediate) return { slot: Promise.resolve(immediate), cancel: () => {} };
    const line = this.#waiting.get(address) ?? [];
    if (line.length >= this.#maxWaitingPerAddress || this.#waitingCount >= this.#maxWaiting) {
      return { slot: Promise.reject(new SlotRefused('full')), cancel: () => {} };
    }
    let waiter: Waiter | undefined;
    const slot = new Promise<() => void>((resolve, reject) => {
      waiter = {
        address,
        grant: resolve,
        refuse: (reason) => reject(new SlotRefused(reason)),
        timer: undefined,
      };
    });
    const w = waiter!;
    w.timer = this.#timers.setTimeout(() => this.#leave(w, 'waited-too-long'), this.#maxWaitMs);
    line.push(w);
    this.#waiting.set(address, line);
    this.#waitingCount++;
    return { slot, cancel: () => this.#leave(w, 'cancelled') };
  }

  get inProgress(): number {
    return this.#inProgress.total;
  }

  get waiting(): number {
    return this.#waitingCount;
  }

  inProgressFrom(address: string): number {
    return this.#inProgress.from(address);
  }

  #fits(address: string): boolean {
    return this.#inProgress.total < this.#maxTotal && this.#inProgress.from(address) < this.#maxPerAddress;
  }

  #take(address: string): () => void {
    const release = this.#inProgress.add(address);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      this.#serve();
    };
  }

  /** Hands free slots to waiting connections, one address at a time in turn. */
  #serve(): void {
    let progress = true;
    while (progress && this.#inProgress.total < this.#maxTotal && this.#waitingCount > 0) {
      progress = false;
      for (const [address, line] of this.#waiting) {
        if (!this.#fits(address)) continue;
        const next = line.shift()!;
        this.#waitingCount--;
        this.#timers.clearTimeout(next.timer);
        // Served: the address goes to the back of the round-robin (or leaves it).
        this.#waiting.delete(address);
        if (line.length > 0) this.#waiting.set(address, line);
        next.grant(this.#take(address));
        progress = true;
        break;
      }
    }
  }

  #leave(waiter: Waiter, reason: Refusal): void {
    const line = this.#waiting.get(waiter.address);
    const at = line?.indexOf(waiter) ?? -1;
    if (!line || at < 0) return; // already served or gone
    line.splice(at, 1);
    if (line.length === 0) this.#waiting.delete(waiter.address);
    this.#waitingCount--;
    this.#timers.clearTimeout(waiter.timer);
    waiter.refuse(reason);
  }
}

/** Shared by every secureServer() call that is not given its own limiter. */
export const defaultHandshakeLimiter = new HandshakeLimiter();
