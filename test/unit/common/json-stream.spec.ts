import fc from 'fast-check';
import { JsonStreamError, JsonStreamParser, type JsonPath } from '../../../src/common/json-stream';

/** Feeds `text` in pieces cut at `cuts` (character offsets), collecting what `emitAt` selects. */
function parse(text: string, cuts: number[] = [], emitAt: (path: JsonPath) => boolean = () => false) {
  const emitted: { value: unknown; path: JsonPath }[] = [];
  const parser = new JsonStreamParser({ emitAt, onValue: (value, path) => emitted.push({ value, path }) });
  let from = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    parser.write(text.slice(from, cut));
    from = cut;
  }
  parser.write(text.slice(from));
  return { document: parser.end(), emitted };
}

const refusal = (text: string) => {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof JsonStreamError) return error.reason;
    throw error;
  }
  return undefined;
};

/** Any JSON value without NUL or surrogate escapes (pairs and lone ones are checked on their own below). */
const storable = fc
  .jsonValue({ stringUnit: 'binary' })
  .filter((value) => !/\\u0000|\\ud[89a-f]/i.test(JSON.stringify(value)));

describe('JsonStreamParser', () => {
  it('reads what JSON.parse reads, however the text is cut into chunks', () => {
    fc.assert(
      fc.property(storable, fc.array(fc.nat()), fc.boolean(), (value, cuts, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(
          parse(
            text,
            cuts.map((cut) => cut % (text.length + 1)),
          ).document,
        ).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what JSON.parse refuses', () => {
    for (const text of [
      '',
      '{',
      '[1,]',
      '{"a":1,}',
      '{"a" 1}',
      '{1:2}',
      '01',
      '1.',
      '.5',
      '+1',
      'tru',
      'nul',
      '"\\x"',
      '"a',
      '[1 2]',
      '{"a":1}{',
      '1 2',
      '"\t"',
      '"\\u12g4"',
      '[]]',
      '{"a":}',
      ',',
      ':',
      '-',
      '1e',
      'NaN',
      'Infinity',
    ]) {
      expect(() => JSON.parse(text)).toThrow();
      expect(refusal(text)).toBeDefined();
    }
  });

  it('refuses what Postgres cannot store and what is nested too deep, saying where', () => {
    expect(refusal('{"a":"x\\u0000"}')).toBe('strings must not contain the NUL character');
    expect(refusal('["\\ud800"]')).toBe('a surrogate escape without its pair');
    expect(refusal('["\\udc00\\ud800"]')).toBe('a surrogate escape without its pair');
    expect(refusal('["\\ud800x"]')).toBe('a surrogate escape without its pair');
    expect(parse('["\\ud83d\\ude00"]').document).toEqual(['😀']);
    expect(refusal(`${'['.repeat(65)}${']'.repeat(65)}`)).toMatch(/deeper than 64/);
    expect(parse(`${'['.repeat(64)}${']'.repeat(64)}`).document).toBeDefined();
    expect(() => parse('{"a": [1, 2, }')).toThrow(expect.objectContaining({ reason: 'unexpected }', position: 13 }));
  });

  it('hands over the values at the chosen paths as they complete, and keeps the rest without them', () => {
    const text = JSON.stringify({ head: { title: 't' }, items: [{ id: 1, sub: [1] }, { id: 2 }], tail: true });
    const seen: number[] = [];
    const parser = new JsonStreamParser({
      emitAt: (path) => path.length === 2 && path[0] === 'items',
      onValue: (value) => seen.push((value as { id: number }).id),
    });
    parser.write(text.slice(0, text.indexOf('{"id":2')));
    expect(seen).toEqual([1]);
    parser.write(text.slice(text.indexOf('{"id":2')));
    expect(parser.end()).toEqual({ head: { title: 't' }, items: [], tail: true });
    expect(seen).toEqual([1, 2]);
  });

  it('keeps __proto__ as data, as JSON.parse does', () => {
    const { document } = parse('{"__proto__": {"polluted": true}}');
    expect(Object.getPrototypeOf(document)).toBe(Object.prototype);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(document).toEqual(JSON.parse('{"__proto__": {"polluted": true}}'));
  });
});
