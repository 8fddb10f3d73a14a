import type { Session } from '../session.js';

interface Entry {
  session: Session;
  storedAt: number;
}

/**
 * Sessions read from Postgres, kept in this process for `ttlMs` (at most `maxEntries`, oldest
 * dropped first). Every eviction or reset bumps `generation`; `set` stores only when the
 * generation is the one taken before the read, so a read that raced a revocation is never cached.
 */
export class LocalSessionCache {
  private readonly entries = new Map<string, Entry>();
  private currentGeneration = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get generation(): number {
    return this.currentGeneration;
  }

  get(tokenHash: string): Session | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (this.now() - entry.storedAt < this.ttlMs) return entry.session;
    this.entries.delete(tokenHash);
    return undefined;
  }

  /** Stores `session` unless something was evicted since `generation` was read. */
  set(session: Session, generation: number): void {
    if (generation !== this.currentGeneration) return;
    this.entries.delete(session.tokenHash);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(session.tokenHash, { session, storedAt: this.now() });
  }

  evict(tokenHashes: string[]): void {
    this.currentGeneration++;
    for (const tokenHash of tokenHashes) this.entries.delete(tokenHash);
  }

  clear(): void {
    this.currentGeneration++;
    this.entries.clear();
  }
}
