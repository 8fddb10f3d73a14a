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
  { name: 'invalid UTF-8 bytes', body: '{"name": "\xff\xfe"}', wellFormed: true },
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
