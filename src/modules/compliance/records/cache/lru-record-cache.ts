import { CacheEntry, CachedView, RecordCache } from './record-cache.js';

interface Slot {
  entry: CacheEntry;
  expiresAt: number;
}

/** The embedded default: a bounded in-process LRU with TTL (Map iteration order is recency). */
export class LruRecordCache implements RecordCache {
  readonly kind = 'memory' as const;
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(id: string): Promise<CacheEntry | undefined> {
    const slot = this.slots.get(id);
    if (!slot) return undefined;
    this.slots.delete(id);
    if (slot.expiresAt <= this.now()) return undefined;
    this.slots.set(id, slot);
    return slot.entry;
  }

  async put(view: CachedView): Promise<void> {
    this.store(view.id, { version: view.version, view });
  }

  async invalidate(id: string, version: number): Promise<void> {
    this.store(id, { version, view: null });
  }

  get size(): number {
    return this.slots.size;
  }

  private store(id: string, entry: CacheEntry): void {
    const current = this.slots.get(id);
    if (current && current.expiresAt > this.now() && current.entry.version > entry.version) return;
    this.slots.delete(id);
    this.slots.set(id, { entry, expiresAt: this.now() + this.ttlSeconds * 1000 });
    while (this.slots.size > this.maxEntries) this.slots.delete(this.slots.keys().next().value as string);
  }
}
