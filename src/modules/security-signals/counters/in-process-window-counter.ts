import type { WindowCounter } from './window-counter.js';

interface Entry {
  value: number | string;
  expiresAt: number;
}

/**
 * Windows in a Map bounded to `maxEntries`: beyond it the oldest-written key goes first (a Map
 * iterates in insertion order, and every write re-inserts), so an attacker spraying subjects
 * costs memory only up to the bound. Counts are per process: replicas do not add up.
 */
export class InProcessWindowCounter implements WindowCounter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  async add(key: string, by: number, windowMs: number): Promise<number> {
    const entry = this.live(key);
    const total = (typeof entry?.value === 'number' ? entry.value : 0) + by;
    this.write(key, total, entry?.expiresAt ?? this.now() + windowMs);
    return total;
  }

  async claim(key: string, windowMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.write(key, 1, this.now() + windowMs);
    return true;
  }

  async swap(key: string, value: string, windowMs: number): Promise<string | undefined> {
    const previous = this.live(key)?.value;
    this.write(key, value, this.now() + windowMs);
    return typeof previous === 'string' ? previous : undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private write(key: string, value: number | string, expiresAt: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
