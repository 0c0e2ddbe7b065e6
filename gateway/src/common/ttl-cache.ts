/** What a per-person cache holds: how long and how many. */
export interface TtlCacheOptions {
  /** How long a read is reused before it is read again, in ms. */
  ttlMs: number;
  /** Entries kept at once (the least recently read go first). */
  maxEntries: number;
}

/**
 * Reads by key through `load`, reusing a read for `ttlMs`: the longest a change made through another gateway
 * replica takes to apply here (this replica's own changes apply at once through `forget`). Concurrent reads
 * of one key share one load; a failed load is not kept.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { readAt: number; value: Promise<V> }>();

  constructor(
    private readonly load: (key: string) => Promise<V>,
    private readonly options: TtlCacheOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): Promise<V> {
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.readAt < this.options.ttlMs) {
      // Most recently read last, so that the oldest entry is the first to go.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.value;
    }
    const value = this.load(key);
    const entry = { readAt: this.now(), value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  /** Reads `key` again next time. */
  forget(key: string): void {
    this.entries.delete(key);
  }
}
