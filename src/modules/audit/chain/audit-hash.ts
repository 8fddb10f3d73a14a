import { hash } from 'node:crypto';
import type { ChainedEvent } from '../audit-event.js';

/** `prev_hash` of the first event of every shard. */
export const GENESIS_HASH = '0'.repeat(64);

/** What JSON.stringify escapes in a string: quote, backslash, control characters, lone surrogates. */
// eslint-disable-next-line no-control-regex -- finding them is the point
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify of a string, without the call for the common string that needs no escape. */
const quoted = (text: string): string => (ESCAPED.test(text) ? JSON.stringify(text) : `"${text}"`);

/** JSON with object keys sorted at every level, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return quoted(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return canonicalArray(value);
  return canonicalObject(value as Record<string, unknown>);
}

/*
 * Built in one pass over each level, without the arrays of entries and parts a map/join version
 * makes: hashing is most of the CPU an audit append costs. The output is the same byte for byte
 * (test/unit/audit/audit-hash.spec.ts holds it to the map/join version), as every stored hash
 * depends on it: a hole in an array is an empty element, keys sort by UTF-16 code unit.
 */
function canonicalArray(value: unknown[]): string {
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    if (i) out += ',';
    if (i in value) out += canonicalJson(value[i]);
  }
  return `${out}]`;
}

function canonicalObject(value: Record<string, unknown>, skip?: string): string {
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const key of keys) {
    const member = value[key];
    if (member === undefined || key === skip) continue;
    if (out.length > 1) out += ',';
    out += `${quoted(key)}:${canonicalJson(member)}`;
  }
  return `${out}}`;
}

/** `SHA-256(prev_hash ‖ canonical JSON of the event)`; position (shard, seq) is part of the event. */
export function hashEvent(event: Omit<ChainedEvent, 'hash'>): string {
  return hash('sha256', event.prevHash + canonicalObject(event, 'prevHash'));
}
