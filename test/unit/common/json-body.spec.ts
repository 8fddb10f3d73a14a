import { decodeUtf8, jsonBodyDefect, MAX_JSON_DEPTH, MAX_OBJECT_MEMBERS } from '../../../src/common/json-body.js';

describe('jsonBodyDefect', () => {
  it('accepts ordinary JSON, nested up to the limit', () => {
    expect(jsonBodyDefect('{"a":[1,{"b":"c"}]}')).toBeUndefined();
    expect(jsonBodyDefect('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).toBeUndefined();
  });

  it('refuses nesting one level deeper than the limit', () => {
    const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
    expect(jsonBodyDefect(deep)).toMatch(/nesting deeper than 64/);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = `{"a":"${'['.repeat(200)}\\"${'{'.repeat(200)}"}`;
    expect(jsonBodyDefect(text)).toBeUndefined();
  });

  it('ends a string at its closing quote, after escaped backslashes and quotes', () => {
    const deep = '['.repeat(MAX_JSON_DEPTH + 1);
    expect(jsonBodyDefect(`{"a":"x\\\\","b":"${deep}","c":"\\"${deep}"}`)).toBeUndefined();
    expect(jsonBodyDefect('{"a":"\\\\","b":"ok","c":"\\u0000"}')).toMatch(/NUL/);
    expect(jsonBodyDefect(`[${'"\\"",'.repeat(100)}{"a":"\\ud800"}]`)).toMatch(/surrogate/);
  });

  it('refuses an escaped NUL in a string but not an escaped backslash followed by u0000', () => {
    expect(jsonBodyDefect('{"a":"x\\u0000"}')).toMatch(/NUL/);
    expect(jsonBodyDefect('{"a":"x\\\\u0000"}')).toBeUndefined();
  });

  it('refuses a surrogate escape without its pair, and accepts a pair', () => {
    expect(jsonBodyDefect('{"a":"\\ud800"}')).toMatch(/surrogate/);
    expect(jsonBodyDefect('{"a":"\\ud800x"}')).toMatch(/surrogate/);
    expect(jsonBodyDefect('{"a":"\\udc00\\ud800"}')).toMatch(/surrogate/);
    expect(jsonBodyDefect('{"a":"\\ud83d\\udca9 and \\u00e9"}')).toBeUndefined();
    expect(jsonBodyDefect('{"a":"\\\\ud800"}')).toBeUndefined();
  });

  it('refuses an object with more members than the limit, wherever it is nested', () => {
    const members = (count: number) => Array.from({ length: count }, (_, i) => `"k${i}":${i}`).join(',');
    expect(jsonBodyDefect(`{${members(MAX_OBJECT_MEMBERS)}}`)).toBeUndefined();
    expect(jsonBodyDefect(`[{"a":{${members(MAX_OBJECT_MEMBERS + 1)}}}]`)).toMatch(/at most 1000 members/);
    expect(jsonBodyDefect(`[${Array.from({ length: 5_000 }, () => '{"a":1}').join(',')}]`)).toBeUndefined();
  });
});

describe('decodeUtf8', () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

  it.each([
    ['an invalid continuation (C3 28)', [0xc3, 0x28]],
    ['an overlong slash (C0 AF)', [0xc0, 0xaf]],
    ['an encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['a truncated sequence (E2 82)', [0xe2, 0x82]],
    ['a byte never used (FF)', [0xff]],
  ])('refuses %s inside a JSON string rather than storing U+FFFD', (_name, invalid) => {
    expect(decodeUtf8(bytes('{"displayName":"a', invalid, 'b"}'))).toBeUndefined();
  });

  it('reads valid UTF-8, keeping a BOM so that the JSON parser still refuses it', () => {
    expect(decodeUtf8(bytes('{"a":"é \u{1F600}"}'))).toBe('{"a":"é \u{1F600}"}');
    expect(decodeUtf8(bytes([0xef, 0xbb, 0xbf], '{}'))).toBe('\uFEFF{}');
    expect(decodeUtf8(Buffer.alloc(0))).toBe('');
  });
});
