import type { KeyObject } from 'node:crypto';

/** `null`: the subject is erased (cached too, so reading an erased subject costs no query). */
export type CachedSubjectKey = KeyObject | null;

/**
 * Unwrapped subject keys, bounded (least recently used goes first) and each kept at most `ttlMs`:
 * the bound on a key another replica erased while this one was not listening. Every delete or
 * clear bumps `generation`; `set` with the generation taken before the read stores nothing if
 * something was evicted since, so a read that raced an erasure is never cached. A key dropped by
 * a delete or clear (an erasure) is handed to `onDropped`, which forgets what it opened.
 */
export class SubjectKeyCache {
  private readonly entries = new Map<string, { key: CachedSubjectKey; expires: number }>();
  private currentGeneration = 0;

  constructor(
    private readonly size: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly onDropped: (key: KeyObject) => void = () => undefined,
  ) {}

  get(subjectId: string): CachedSubjectKey | undefined {
    const entry = this.entries.get(subjectId);
    if (!entry) return undefined;
    this.entries.delete(subjectId);
    if (entry.expires <= this.now()) return undefined;
    this.entries.set(subjectId, entry);
    return entry.key;
  }

  get generation(): number {
    return this.currentGeneration;
  }

  set(subjectId: string, key: CachedSubjectKey, generation = this.currentGeneration): void {
    if (this.ttlMs === 0 || generation !== this.currentGeneration) return;
    this.entries.delete(subjectId);
    this.entries.set(subjectId, { key, expires: this.now() + this.ttlMs });
    while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(subjectId: string): void {
    this.currentGeneration++;
    const key = this.entries.get(subjectId)?.key;
    this.entries.delete(subjectId);
    if (key) this.onDropped(key);
  }

  clear(): void {
    this.currentGeneration++;
    const keys = [...this.entries.values()].map((entry) => entry.key);
    this.entries.clear();
    for (const key of keys) if (key) this.onDropped(key);
  }

  get length(): number {
    return this.entries.size;
  }
}
