/** Values an attacker or a broken client puts where an id, a query value or a field belongs. */
export const HOSTILE_VALUES: readonly string[] = [
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  "' OR '1'='1' --",
  '1; DROP TABLE service_instances; --',
  '$(id)',
  '{"$ne": null}',
  '{"$where": "sleep(1000)"}',
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/a}',
  '\u0000',
  '\u202Eevil\u202C',
  '\uD83D\uDCA9\u200D\u0301\uFEFF',
  '\uFFFF\uFFFE',
  'ǅǈǋ İı ß ﬀ',
  '-1',
  '1e309',
  'NaN',
  '00000000-0000-0000-0000-000000000000',
  'x'.repeat(10_000),
];

/**
 * Raw request bodies: syntax errors, wrong shapes, abuse of size and depth. `wellFormed` marks the
 * few a lenient route may accept (they decode to an ordinary object); none may cause a 5xx.
 */
export const HOSTILE_BODIES: readonly { name: string; body: string; contentType?: string; wellFormed?: true }[] = [
  { name: 'truncated JSON', body: '{"name": ' },
  { name: 'trailing garbage', body: '{"a":1}}}}' },
  { name: 'single quotes', body: "{'a': 1}" },
  { name: 'empty body with JSON type', body: '' },
  { name: 'JSON null', body: 'null' },
  { name: 'JSON number', body: '42' },
  { name: 'JSON string', body: '"just a string"' },
  { name: 'JSON array', body: '[1,2,3]' },
  { name: 'wrong types everywhere', body: JSON.stringify({ name: 12, items: 'x', score: [], id: {}, flag: 'yes' }) },
  { name: 'prototype pollution', body: '{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"x": 1}}}' },
  { name: 'operator injection', body: JSON.stringify({ name: { $gt: '' }, items: [{ score: { $ne: null } }] }) },
  { name: 'huge string field', body: JSON.stringify({ name: 'x'.repeat(900_000) }) },
  { name: 'over the body limit', body: JSON.stringify({ name: 'x'.repeat(2_000_000) }) },
  { name: 'deeply nested arrays', body: '['.repeat(100_000) + ']'.repeat(100_000) },
  { name: 'deeply nested objects', body: '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000) },
  {
    name: 'many keys',
    body: JSON.stringify(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]))),
  },
  { name: 'lone surrogate and NUL', body: '{"name": "\\ud800\\u0000"}' },
  { name: 'lone surrogate', body: '{"name": "\\ud800", "entityId": "\\udfff", "details": {"k": "\\ud800"}}' },
  { name: 'invalid UTF-8 bytes', body: '{"name": "\xff\xfe"}' },
  { name: 'an overlong UTF-8 slash', body: '{"name": "\xc0\xaf"}' },
  { name: 'a UTF-8-encoded surrogate', body: '{"name": "\xed\xa0\x80"}' },
  { name: 'text/plain JSON', body: '{"name":"x","items":[]}', contentType: 'text/plain' },
  { name: 'BOM before JSON', body: '\uFEFF{"name": "x"}' },
  {
    name: 'charset the server does not speak',
    body: '{"name":"x"}',
    contentType: 'application/json; charset=utf-7',
    wellFormed: true,
  },
  { name: 'form encoding', body: 'name=x&items[0][score]=1', contentType: 'application/x-www-form-urlencoded' },
  {
    name: 'XML',
    body: '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
    contentType: 'application/xml',
  },
  { name: 'multipart without boundary', body: '--x\r\n', contentType: 'multipart/form-data' },
];

/** Byte sequences that are not UTF-8, put inside JSON strings: each used to be stored as U+FFFD. */
export const INVALID_UTF8: readonly { name: string; bytes: readonly number[] }[] = [
  { name: 'C3 28 (a lead byte before ASCII)', bytes: [0xc3, 0x28] },
  { name: 'C0 AF (an overlong slash)', bytes: [0xc0, 0xaf] },
  { name: 'ED A0 80 (an encoded surrogate)', bytes: [0xed, 0xa0, 0x80] },
];

/** `{"field":"a<bytes>b", ...rest}` as raw bytes, the invalid sequence inside the string. */
export function jsonWithBytes(field: string, bytes: readonly number[], rest: Record<string, unknown> = {}): Buffer {
  const tail = Object.keys(rest).length ? `,${JSON.stringify(rest).slice(1, -1)}` : '';
  return Buffer.concat([Buffer.from(`{${JSON.stringify(field)}:"a`), Buffer.from(bytes), Buffer.from(`b"${tail}}`)]);
}

/** Dates Postgres cannot hold, or that JS writes in a form it cannot read back. */
export const OUT_OF_RANGE_DATES: readonly string[] = [
  '-271821-04-20T00:00:00.000Z',
  '0000-01-01T00:00:00Z',
  '+100000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
];

/** Numbers no integer column holds, as JSON text (parsed, 9007199254740993 loses its last digit). */
export const HUGE_NUMBERS: readonly string[] = ['9007199254740993', '1.23e29', '1e308', '99999999999999999999999'];

/** Query keys that reach the prototype chain if copied onto an object. */
export const PROTOTYPE_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/**
 * One row of numbers that changes whenever a request writes domain data: row counts and version
 * sums (an UPDATE raises a version), sessions, reindex runs, rotations and domain outbox entries.
 * Audit and security events are left out: a refused request is allowed, even expected, to leave one.
 */
export const WRITE_FINGERPRINT_SQL = `SELECT
  (SELECT count(*) FROM users) AS users,
  (SELECT coalesce(sum(version), 0) FROM users) AS user_versions,
  (SELECT count(*) FROM compliance_records) AS records,
  (SELECT coalesce(sum(version), 0) FROM compliance_records) AS record_versions,
  (SELECT count(*) FROM compliance_records WHERE deleted_at IS NOT NULL) AS deleted_records,
  (SELECT count(*) FROM session_store) AS sessions,
  (SELECT count(*) FROM session_store WHERE revoked_at IS NOT NULL) AS revoked_sessions,
  (SELECT count(*) FROM search_reindex_runs) AS reindex_runs,
  (SELECT count(*) FROM encryption_rotations) AS rotations,
  (SELECT count(*) FROM api_keys) AS api_keys,
  (SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL) AS revoked_api_keys,
  (SELECT count(*) FROM api_key_secrets) AS api_key_secrets,
  (SELECT count(*) FROM outbox_event_entries WHERE type LIKE 'user.%' OR type LIKE 'record.%') AS domain_events`;
