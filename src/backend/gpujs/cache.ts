/**
 * @internal The kernel cache of one gpu.js backend: an LRU map from a cheap string key (op, shapes,
 * parameters) to a compiled gpu.js kernel. Bounded by an entry count and by an estimate of the bytes the
 * kernels pin (a webasm kernel keeps one wasm memory holding its last arguments and output); an evicted
 * kernel is `destroy()`ed at once.
 *
 * @since 0.1.0
 */

/** What the cache needs of a compiled kernel. */
export interface Destroyable {
  destroy(): void
}

interface Entry<K extends Destroyable> {
  readonly kernel: K
  readonly bytes: number
  /** the cache's clock at its last use (the least recent is evicted first) */
  used: number
}

/** Cache counters, for tests and diagnostics. */
export interface CacheStats {
  /** Kernels alive in the cache now. */
  readonly size: number
  /** Kernels created since the cache was made. */
  readonly created: number
  /** Kernels destroyed by eviction or `clear()`. */
  readonly destroyed: number
  /** Lookups answered from the cache. */
  readonly hits: number
  /** Estimated bytes pinned by the cached kernels. */
  readonly bytes: number
}

export class KernelCache<K extends Destroyable> {
  private readonly map = new Map<string, Entry<K>>()
  private clock = 0
  private pinned = 0
  private created = 0
  private destroyed = 0
  private hits = 0

  constructor(
    readonly limit: number,
    readonly byteBudget: number,
    private readonly onDestroy: (k: K) => void = (k) => k.destroy()
  ) {}

  /**
   * The kernel under `key`, built (and counted) on a miss. `bytes` estimates what it pins. A hit only
   * stamps the entry with the clock: a compiled step looks up every one of its kernels in turn, and moving
   * each to the end of the map's order (a delete and a set) cost about 1 µs a call.
   */
  get(key: string, build: () => K, bytes: number): K {
    const hit = this.map.get(key)
    if (hit !== undefined) {
      this.hits++
      hit.used = ++this.clock
      return hit.kernel
    }
    const kernel = build()
    this.created++
    this.map.set(key, { kernel, bytes, used: ++this.clock })
    this.pinned += bytes
    this.evict()
    return kernel
  }

  /** Drop least recently used kernels (the newest stays) while over the count or the byte budget. */
  private evict(): void {
    while (this.map.size > 1 && (this.map.size > this.limit || this.pinned > this.byteBudget)) {
      let oldest: string | undefined
      let at = Infinity
      for (const [key, e] of this.map)
        if (e.used < at) {
          at = e.used
          oldest = key
        }
      if (oldest === undefined) return
      this.drop(oldest)
    }
  }

  private drop(key: string): void {
    const e = this.map.get(key)
    if (e === undefined) return
    this.map.delete(key)
    this.pinned -= e.bytes
    this.destroyed++
    this.onDestroy(e.kernel)
  }

  /** Destroy every cached kernel. */
  clear(): void {
    for (const key of Array.from(this.map.keys())) this.drop(key)
  }

  get size(): number {
    return this.map.size
  }

  stats(): CacheStats {
    return { size: this.map.size, created: this.created, destroyed: this.destroyed, hits: this.hits, bytes: this.pinned }
  }
}
