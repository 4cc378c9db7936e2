// A map that holds at most `capacity` entries and drops the oldest insertion first: the one bound
// for every table keyed by something a peer or a packet supplies (public keys, nicks, addresses,
// mDNS names). A peer cycling through fresh keys only evicts entries, so it costs itself time and
// nobody memory.
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Every entry, oldest first; the cache is left empty. */
  drain(): [K, V][] {
    const all = [...this.#entries];
    this.#entries.clear();
    return all;
  }

  set(key: K, value: V): void {
    if (!this.#entries.has(key) && this.#entries.size >= this.capacity) {
      // A Map iterates in insertion order: the first key is the oldest.
      this.#entries.delete(this.#entries.keys().next().value as K);
    }
    this.#entries.set(key, value);
  }
}
