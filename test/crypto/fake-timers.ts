// A hand-cranked clock for handshake deadlines: tests decide when time "passes".
import type { HandshakeTimers } from '../../src/crypto/secure-handshake.js';

export class FakeTimers implements HandshakeTimers {
  readonly #pending = new Map<number, { callback: () => void; ms: number }>();
  #next = 1;

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.#next++;
    this.#pending.set(handle, { callback, ms });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  get armed(): number[] {
    return [...this.#pending.values()].map((t) => t.ms);
  }

  /** Fires every pending timer, as if their delay had elapsed. */
  elapse(): void {
    const due = [...this.#pending.values()];
    this.#pending.clear();
    for (const timer of due) timer.callback();
  }
}
