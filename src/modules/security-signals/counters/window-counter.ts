/**
 * Counting windows shared by the detectors: in Redis when configured, so every replica counts
 * into the same window, in process otherwise. Keys are already namespaced and free of PII.
 */
export interface WindowCounter {
  /** Adds `by` to the key's fixed window (started by its first hit) and returns the new total. */
  add(key: string, by: number, windowMs: number): Promise<number>;
  /** True for the first call per key per window: "fire once per window per subject". */
  claim(key: string, windowMs: number): Promise<boolean>;
  /** Stores `value` for `windowMs` and returns what the key held before, if it had not expired. */
  swap(key: string, value: string, windowMs: number): Promise<string | undefined>;
}

export const WINDOW_COUNTER = Symbol('WINDOW_COUNTER');
