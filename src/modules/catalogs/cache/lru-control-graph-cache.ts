import type { CacheLookup, ControlGraphCache } from './control-graph-cache.js';

interface Slot {
  value: unknown;
  expiresAt: number;
}

/** The embedded default: a bounded in-process LRU with TTL (Map iteration order is recency). */
export class LruControlGraphCache implements ControlGraphCache {
  readonly kind = 'memory' as const;
  private readonly slots = new Map<string, Slot>();
  private current = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<CacheLookup> {
    const generation = String(this.current);
    const slot = this.slots.get(key);
    if (!slot) return { generation, value: undefined };
    this.slots.delete(key);
    if (slot.expiresAt <= this.now()) return { generation, value: undefined };
    this.slots.set(key, slot);
    return { generation, value: slot.value };
  }

  async put(generation: string, key: string, value: unknown): Promise<void> {
    if (generation !== String(this.current)) return;
    this.slots.delete(key);
    this.slots.set(key, { value, expiresAt: this.now() + this.ttlSeconds * 1000 });
    while (this.slots.size > this.maxEntries) this.slots.delete(this.slots.keys().next().value as string);
  }

  async invalidate(): Promise<void> {
    this.current += 1;
    this.slots.clear();
  }

  async generation(): Promise<string> {
    return String(this.current);
  }

  get size(): number {
    return this.slots.size;
  }
}
