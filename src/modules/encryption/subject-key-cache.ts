import type { KeyObject } from 'node:crypto';

/** `null`: the subject is erased (cached too, so reading an erased subject costs no query). */
export type CachedSubjectKey = KeyObject | null;

/**
 * Unwrapped subject keys, bounded (least recently used goes first) and each kept at most `ttlMs`:
 * an erasure made by another replica is honoured here within the TTL.
 */
export class SubjectKeyCache {
  private readonly entries = new Map<string, { key: CachedSubjectKey; expires: number }>();

  constructor(
    private readonly size: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(subjectId: string): CachedSubjectKey | undefined {
    const entry = this.entries.get(subjectId);
    if (!entry) return undefined;
    this.entries.delete(subjectId);
    if (entry.expires <= this.now()) return undefined;
    this.entries.set(subjectId, entry);
    return entry.key;
  }

  set(subjectId: string, key: CachedSubjectKey): void {
    if (this.ttlMs === 0) return;
    this.entries.delete(subjectId);
    this.entries.set(subjectId, { key, expires: this.now() + this.ttlMs });
    while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(subjectId: string): void {
    this.entries.delete(subjectId);
  }

  get length(): number {
    return this.entries.size;
  }
}
