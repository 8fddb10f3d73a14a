import { createHash } from 'node:crypto';
import { canonicalJson, GENESIS_HASH, hashEvent } from '../../../src/modules/audit/chain/audit-hash';
import type { ChainedEvent } from '../../../src/modules/audit/audit-event';

/** canonicalJson as first written (map, sort, join): every stored hash was made with it. */
function referenceJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(referenceJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${referenceJson(v)}`).join(',')}}`;
}

/** hashEvent(event()) as computed before events had a trace id (commit 3e59614). */
const PRE_TRACE_ID_HASH = 'a49ab580cffe7463e02310d79c192f6f2b424339044d19356aa2d63150fb92ac';

const event = (overrides: Partial<ChainedEvent> = {}): Omit<ChainedEvent, 'hash'> => ({
  shard: 0,
  seq: 1,
  occurredAt: new Date('2026-11-24T10:00:00.000Z'),
  id: '5f0c2f8e-1d7a-4c39-9a51-3c1f6f0e2b11',
  actorId: 'u_1',
  action: 'record.updated',
  resourceType: 'record',
  resourceId: 'r1',
  outcome: 'success',
  severity: 'info',
  requestId: 'req-1',
  ip: '127.0.0.1',
  userAgent: null,
  details: { b: 1, a: { d: [1, 2], c: null } },
  prevHash: GENESIS_HASH,
  ...overrides,
});

describe('audit hash', () => {
  it('serialises objects with sorted keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('serialises exactly as the first implementation did, on values that stress it', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , 3];
    const values: unknown[] = [
      { b: 1, a: { d: [{ z: 1, y: 2 }], c: null } },
      { Z: 1, a: 2, _: 3, é: 4, '😀': 5, 'a"b': 6, '': 7, '10': 8, '9': 9, 'line\nbreak': 'tab\t"quote"\u2028' },
      { skipped: undefined, kept: [undefined, null, Number.NaN, -0, 1e21, true, 'x'], nested: { when: new Date(0) } },
      { holes: sparse, empty: {}, none: [], deep: [[[{ b: [{}], a: 'a' }]]] },
      [{ y: 1, x: 2 }, 'text', 3.14, null],
      ['lone \ud800 surrogate', 'pair 😀', 'del \u007f', 'nul \u0000', 'back\\slash', 'ctl \u001f', 'ls \u2028'],
      new Date('2026-12-03T09:00:00.123Z'),
      'plain',
      42,
      null,
      undefined,
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(referenceJson(value));
    const full = event({ details: values[1] as Record<string, unknown>, traceId: 'a'.repeat(32) });
    const { prevHash, ...content } = full;
    const reference = createHash('sha256').update(prevHash).update(referenceJson(content)).digest('hex');
    expect(hashEvent(full)).toBe(reference);
  });

  it('hashes the same event identically whatever the key order of its details', () => {
    expect(hashEvent(event())).toBe(hashEvent(event({ details: { a: { c: null, d: [1, 2] }, b: 1 } })));
    expect(hashEvent(event())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes the hash when the content, the position or the previous hash changes', () => {
    const base = hashEvent(event());
    expect(hashEvent(event({ actorId: 'u_2' }))).not.toBe(base);
    expect(hashEvent(event({ seq: 2 }))).not.toBe(base);
    expect(hashEvent(event({ shard: 1 }))).not.toBe(base);
    expect(hashEvent(event({ prevHash: 'f'.repeat(64) }))).not.toBe(base);
  });

  it('covers the trace id when there is one, and hashes an event without one as before trace ids existed', () => {
    const base = hashEvent(event());
    const traced = hashEvent(event({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }));
    expect(traced).not.toBe(base);
    expect(hashEvent(event({ traceId: '5bf92f3577b34da6a3ce929d0e0e4736' }))).not.toBe(traced);
    // The hash of this very event before the trace id was added to events.
    expect(base).toBe(PRE_TRACE_ID_HASH);
  });
});
