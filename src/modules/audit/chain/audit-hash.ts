import { createHash } from 'node:crypto';
import type { ChainedEvent } from '../audit-event.js';

/** `prev_hash` of the first event of every shard. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** `SHA-256(prev_hash ‖ canonical JSON of the event)`; position (shard, seq) is part of the event. */
export function hashEvent(event: Omit<ChainedEvent, 'hash'>): string {
  const { prevHash, ...content } = event;
  return createHash('sha256').update(prevHash).update(canonicalJson(content)).digest('hex');
}
