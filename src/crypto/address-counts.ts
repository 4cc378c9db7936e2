// How many of something each remote address holds, and how many in all: the bookkeeping under the
// handshake limiter and the half-open caps (connection/half-open-caps.ts), kept in one place so
// a release can never be counted twice or leave an empty entry behind.

export class AddressCounts {
  readonly #perAddress = new Map<string, number>();
  #total = 0;

  get total(): number {
    return this.#total;
  }

  from(address: string): number {
    return this.#perAddress.get(address) ?? 0;
  }

  /** Counts one more for `address`; the returned release (idempotent) counts it out again. */
  add(address: string): () => void {
    this.#total++;
    this.#perAddress.set(address, this.from(address) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const left = this.from(address) - 1;
      if (left <= 0) this.#perAddress.delete(address);
      else this.#perAddress.set(address, left);
    };
  }
}
