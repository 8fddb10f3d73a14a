import fc from 'fast-check';
import { HUGE_NUMBERS, INVALID_UTF8, OUT_OF_RANGE_DATES, PROTOTYPE_KEYS } from '../../support/hostile-corpus';

/** The parts of an OpenAPI 3 schema the generators read. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}

export interface ApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** One generated request, before it is sent. */
export interface FuzzCase {
  caller: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: FuzzBody;
  /** Why this request cannot be accepted (the query's or the body's reason), if it cannot. */
  mustRefuse?: string;
}

/** A request body; `mustRefuse` says why no route may accept it, when none may. */
export interface FuzzBody {
  contentType: string;
  payload: Buffer;
  label: string;
  mustRefuse?: string;
}

/** Known ids per path parameter name, so some requests reach real rows. */
export type IdPool = Record<string, readonly string[]>;

const NUL_STRINGS = ['\u0000', 'a\u0000b'];
const LONE_SURROGATES = ['\uD800', 'x\uDFFFy'];
const BAD_DATES = [
  ...OUT_OF_RANGE_DATES,
  '\r\nX-Injected: 1',
  '2001',
  '2026-02-30T00:00:00Z',
  '2026-11-01',
  'yesterday',
];
const BAD_NUMBERS = [
  1e308,
  -1e308,
  1.23e29,
  2 ** 53 /* what 9007199254740993 parses to */,
  2 ** 31,
  2 ** 63,
  -1,
  0,
  0.5,
];
const HOSTILE_TEXT = [
  '',
  ' ',
  "' OR '1'='1",
  '../../etc/passwd',
  '%00',
  '{"$ne":null}',
  '\u202Eevil',
  '\uFFFF',
  'x'.repeat(600),
  ...NUL_STRINGS,
  ...LONE_SURROGATES,
  ...BAD_DATES,
  ...HUGE_NUMBERS,
];

/** Values that are wrong for any schema: the hostile classes of issue 15 and wrong types. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_TEXT),
  fc.constantFrom<unknown>(null, true, [], {}, [1, 'a'], { nested: { a: null } }),
  fc.constantFrom(...BAD_NUMBERS),
  fc.constantFrom(...PROTOTYPE_KEYS).map((key) => withOwnKey({}, key, { polluted: true })),
);

/** `object[key] = value` that makes even `__proto__` an own, serialized key. */
export function withOwnKey<T extends object>(object: T, key: string, value: unknown): T {
  Object.defineProperty(object, key, { value, enumerable: true, configurable: true, writable: true });
  return object;
}

export class SchemaArbitraries {
  constructor(
    private readonly document: ApiDocument,
    private readonly ids: IdPool,
  ) {}

  resolve(schema: Schema | undefined): Schema {
    let current = schema ?? {};
    for (let hops = 0; current.$ref && hops < 10; hops++) {
      const name = current.$ref.split('/').pop() as string;
      current = this.document.components?.schemas?.[name] ?? {};
    }
    return current;
  }

  /** A value the schema describes (mostly valid, within its bounds). */
  valid(input: Schema | undefined, name = '', depth = 0): fc.Arbitrary<unknown> {
    const schema = this.resolve(input);
    const alternatives = schema.oneOf ?? schema.anyOf;
    if (alternatives?.length) return fc.oneof(...alternatives.map((s) => this.valid(s, name, depth)));
    if (schema.allOf?.length)
      return this.valid(Object.assign({}, ...schema.allOf.map((s) => this.resolve(s))), name, depth);
    if (schema.enum?.length) return fc.constantFrom(...schema.enum);
    switch (schema.type) {
      case 'string':
        return this.validString(schema, name);
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000_000 });
      case 'number':
        return fc.oneof(
          fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000 }),
          fc.double({
            min: schema.minimum ?? -1_000,
            max: schema.maximum ?? 1_000,
            noNaN: true,
            noDefaultInfinity: true,
          }),
        );
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(this.mixed(schema.items, name, depth + 1), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.min(schema.maxItems ?? 3, 3),
        });
      case 'object':
      case undefined:
        return depth > 3 ? fc.constant({}) : this.object(schema, depth);
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  /** Just outside the schema: bounds ± 1, wrong formats, the boundary values of each type. */
  boundary(input: Schema | undefined): fc.Arbitrary<unknown> {
    const schema = this.resolve(input);
    const values: unknown[] = [null];
    if (schema.type === 'string') {
      if (schema.maxLength !== undefined) values.push('x'.repeat(schema.maxLength), 'x'.repeat(schema.maxLength + 1));
      if (schema.minLength) values.push('x'.repeat(schema.minLength - 1));
      if (schema.format === 'date-time')
        values.push(...BAD_DATES, 1700000000000, '9999-12-31T23:59:59.999Z', '0001-01-01T00:00:00Z');
      if (schema.format === 'uuid') values.push('00000000-0000-0000-0000-000000000000', 'not-a-uuid');
      values.push(...NUL_STRINGS, ...LONE_SURROGATES, 5);
    } else if (schema.type === 'integer' || schema.type === 'number') {
      if (schema.minimum !== undefined) values.push(schema.minimum, schema.minimum - 1, schema.minimum - 0.5);
      if (schema.maximum !== undefined) values.push(schema.maximum, schema.maximum + 1, schema.maximum + 0.001);
      values.push(...BAD_NUMBERS, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, '1', 'NaN');
    } else if (schema.type === 'array') {
      values.push(
        [],
        'x',
        Array.from({ length: (schema.maxItems ?? 3) + 1 }, () => null),
      );
    } else {
      values.push([], 'x', 0);
    }
    return fc.constantFrom(...values);
  }

  /** Valid three times in five, else a boundary or hostile value. */
  mixed(schema: Schema | undefined, name = '', depth = 0): fc.Arbitrary<unknown> {
    return fc.oneof(
      { arbitrary: this.valid(schema, name, depth), weight: 6 },
      { arbitrary: this.boundary(schema), weight: 2 },
      { arbitrary: hostileValue, weight: 2 },
    );
  }

  /** Path segment for `{name}`: a known id, a random UUID, or hostile text. */
  pathValue(parameter: Parameter): fc.Arbitrary<string> {
    const known = this.ids[parameter.name] ?? [];
    return fc.oneof(
      ...(known.length ? [{ arbitrary: fc.constantFrom(...known), weight: 4 }] : []),
      { arbitrary: fc.uuid(), weight: 2 },
      { arbitrary: fc.constantFrom(...HOSTILE_TEXT.filter((text) => text.length > 0 && text.length < 300)), weight: 1 },
      { arbitrary: fc.string({ minLength: 1, maxLength: 12 }), weight: 1 },
    );
  }

  /**
   * A query string for the operation's parameters: each present or not with a valid or hostile
   * value, one of them (the focus) always out of bounds, plus unknown, prototype and raw hostile
   * pieces. `mustRefuse` says why the request cannot be accepted, when it cannot.
   */
  query(parameters: Parameter[]): fc.Arbitrary<{ text: string; mustRefuse?: string }> {
    const named = parameters.map((parameter) =>
      fc
        .option(this.mixed(parameter.schema, parameter.name), { freq: parameter.required ? 8 : 2 })
        .map((value) => (value === null ? [] : encodeQuery(parameter.name, value))),
    );
    const focus = parameters.length
      ? fc
          .integer({ min: 0, max: parameters.length - 1 })
          .chain((index) =>
            fc
              .oneof(this.boundary(parameters[index].schema), hostileValue)
              .map((value) => ({ index, pieces: encodeQuery(parameters[index].name, value) })),
          )
      : fc.constant(undefined);
    const names = parameters.map((p) => p.name);
    const extra = fc.oneof(
      { arbitrary: fc.constant({ pieces: [] as string[], mustRefuse: undefined as string | undefined }), weight: 6 },
      {
        arbitrary: fc.constantFrom(...PROTOTYPE_KEYS).map((key) => ({
          pieces: [`${key}=1`],
          mustRefuse: names.length ? `the query parameter ${key}` : undefined,
        })),
        weight: 1,
      },
      {
        arbitrary: fc
          .constantFrom(['unknown=1'], ['a[b]=1'], ['%ff=1'])
          .map((pieces) => ({ pieces, mustRefuse: undefined })),
        weight: 1,
      },
      {
        arbitrary: fc
          .tuple(
            fc.constantFrom(...names, 'q'),
            fc.constantFrom('%00', 'a%00b', '%ff', '%ED%A0%80', '%C0%AF', '%0d%0aX:%201'),
          )
          .map(([name, raw]) => ({
            pieces: [`${encodeURIComponent(name)}=${raw}`],
            mustRefuse: names.includes(name) && raw.includes('%00') ? `NUL in ${name}` : undefined,
          })),
        weight: 2,
      },
    );
    return fc.tuple(fc.tuple(...named), focus, extra).map(([pieces, focused, more]) => {
      const all = pieces.map((piece, index) => (focused?.index === index ? focused.pieces : piece));
      const flat = [...all.flat(), ...more.pieces];
      return { text: flat.length ? `?${flat.join('&')}` : '', mustRefuse: more.mustRefuse };
    });
  }

  /** A JSON body for the schema, sometimes with invalid UTF-8, `null`, or another content type. */
  body(schema: Schema | undefined): fc.Arbitrary<FuzzBody> {
    const value = fc.oneof({ arbitrary: this.valid(schema), weight: 3 }, { arbitrary: this.mixed(schema), weight: 2 });
    const json = value.map((v) => ({
      contentType: 'application/json',
      payload: Buffer.from(JSON.stringify(v) ?? ''),
      label: 'json',
    }));
    const invalidUtf8 = fc.tuple(this.valid(schema), fc.constantFrom(...INVALID_UTF8)).map(([v, { name, bytes }]) => ({
      contentType: 'application/json',
      payload: insertBytes(JSON.stringify(v) ?? '""', bytes),
      label: `invalid UTF-8 ${name}`,
      mustRefuse: 'a body that is not UTF-8',
    }));
    const other = fc
      .tuple(this.valid(schema), fc.constantFrom('application/x-www-form-urlencoded', 'text/plain', 'application/xml'))
      .map(([v, contentType]) => {
        const payload = Buffer.from(formOf(v));
        return {
          contentType,
          payload,
          label: contentType,
          mustRefuse: payload.length ? `a ${contentType} body` : undefined,
        };
      });
    const literal = fc.constantFrom('null', '[]', '42', '"x"', '', '{"a":"\\u0000"}', '{').map((text) => ({
      contentType: 'application/json',
      payload: Buffer.from(text),
      label: `literal ${text}`,
    }));
    return fc.oneof(
      { arbitrary: json, weight: 6 },
      { arbitrary: invalidUtf8, weight: 1 },
      { arbitrary: other, weight: 1 },
      { arbitrary: literal, weight: 1 },
    );
  }

  private validString(schema: Schema, name: string): fc.Arbitrary<unknown> {
    if (schema.format === 'date-time') {
      return fc
        .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
        .map((date) => date.toISOString());
    }
    if (schema.format === 'uuid') return this.ids[name]?.length ? fc.constantFrom(...this.ids[name]) : fc.uuid();
    if (/email/i.test(name)) return fc.emailAddress();
    if (/phone/i.test(name)) return fc.constantFrom('+14155550123', '+4930123456');
    if (/ssn/i.test(name)) return fc.constantFrom('123-45-6789');
    if (schema.pattern) {
      try {
        return fc.stringMatching(new RegExp(schema.pattern)).filter((text) => text.length <= (schema.maxLength ?? 64));
      } catch {
        // a pattern JS cannot compile: plain strings below
      }
    }
    return fc.string({
      minLength: schema.minLength ?? 0,
      maxLength: Math.min(schema.maxLength ?? 24, 24),
      unit: 'grapheme',
    });
  }

  private object(schema: Schema, depth: number): fc.Arbitrary<unknown> {
    const properties = schema.properties ?? {};
    const names = Object.keys(properties);
    if (!names.length) {
      return schema.additionalProperties
        ? fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })
        : fc.constant({});
    }
    const model = Object.fromEntries(names.map((name) => [name, this.mixed(properties[name], name, depth + 1)]));
    const required = new Set(schema.required ?? []);
    // Most objects carry every required key; some lose one.
    const record = fc.record(model, { requiredKeys: names.filter((name) => required.has(name)) });
    // One property always out of bounds (or null), the others as generated.
    const focused = fc
      .tuple(record, fc.integer({ min: 0, max: names.length - 1 }))
      .chain(([object, index]) =>
        fc
          .oneof(this.boundary(properties[names[index]]), hostileValue)
          .map((value) => ({ ...(object as object), [names[index]]: value })),
      );
    const loose = fc.record(model, { requiredKeys: [] });
    const extra = fc.option(fc.constantFrom(...PROTOTYPE_KEYS, 'unknownField'), { freq: 6 });
    return fc
      .tuple(
        fc.oneof({ arbitrary: record, weight: 3 }, { arbitrary: focused, weight: 3 }, { arbitrary: loose, weight: 1 }),
        extra,
        hostileValue,
      )
      .map(([object, key, value]) => (key === null ? object : withOwnKey({ ...(object as object) }, key, value)));
  }
}

function encodeQuery(name: string, value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  if (!values.length) return [`${encodeURIComponent(name)}=`];
  return values.map((item) => {
    const text =
      typeof item === 'string'
        ? item
        : item === null
          ? ''
          : typeof item === 'object'
            ? JSON.stringify(item)
            : String(item);
    return `${encodeURIComponent(name)}=${encodeLoosely(text)}`;
  });
}

/** encodeURIComponent, which throws on a lone surrogate: those go as the bytes of an encoded surrogate. */
export function encodeLoosely(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, '')) + '%ED%A0%80';
  }
}

/** The JSON text with `bytes` put inside its first string (or as a string of its own). */
function insertBytes(json: string, bytes: readonly number[]): Buffer {
  const quote = json.indexOf('"');
  if (quote === -1) return Buffer.concat([Buffer.from('{"x":"'), Buffer.from(bytes), Buffer.from('"}')]);
  return Buffer.concat([Buffer.from(json.slice(0, quote + 1)), Buffer.from(bytes), Buffer.from(json.slice(quote + 1))]);
}

function formOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  return Object.entries(value)
    .map(
      ([key, item]) =>
        `${encodeURIComponent(key)}=${encodeLoosely(typeof item === 'string' ? item : (JSON.stringify(item) ?? ''))}`,
    )
    .join('&');
}
