import { MAX_JSON_DEPTH } from './json-body.js';

export type JsonPath = readonly (string | number)[];

/** Why a streamed JSON text was refused; `position` counts characters from the start. */
export class JsonStreamError extends Error {
  override readonly name = 'JsonStreamError';
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} (at character ${position})`);
  }
}

export interface JsonStreamOptions {
  /** Objects and arrays at these paths are handed to `onValue` as soon as they are complete, and not kept. */
  emitAt(path: JsonPath): boolean;
  onValue(value: unknown, path: JsonPath): void;
}

type Frame =
  | {
      kind: 'object';
      value: Record<string, unknown>;
      path: JsonPath;
      key?: string;
      expect: 'key' | 'colon' | 'value' | 'next';
    }
  | { kind: 'array'; value: unknown[]; path: JsonPath; count: number; expect: 'value' | 'next' };

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const LITERALS: Record<string, unknown> = { true: true, false: false, null: null };
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
/** Characters a string copies as they are: a sticky regex finds the end of a run faster than a loop. */
// Control characters are what the run must stop at: JSON refuses them raw inside strings.
// eslint-disable-next-line no-control-regex
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;
/** What numbers and the literals true, false and null are made of (and what makes them invalid). */
const isBareChar = (code: number) =>
  (code >= 0x30 && code <= 0x39) ||
  (code >= 0x41 && code <= 0x5a) ||
  (code >= 0x61 && code <= 0x7a) ||
  code === 0x2b ||
  code === 0x2d ||
  code === 0x2e;
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * An incremental JSON parser: text goes in chunk by chunk, split anywhere, and values at the paths
 * `emitAt` names leave as soon as they are complete, so a large array of large items is never held
 * whole. What it refuses, besides malformed JSON, matches the guarded body parser: more than
 * MAX_JSON_DEPTH levels, `\u0000` and unpaired surrogate escapes (Postgres cannot store them).
 * `end()` returns the document without the emitted values (their arrays stay, shorter).
 */
export class JsonStreamParser {
  private readonly stack: Frame[] = [];
  private root: { value: unknown } | undefined;
  private position = 0;
  /** A string being read: its text so far, and the pending escape (`\`, `\uXX`…) if any. */
  private text: string[] | undefined;
  private escape: string | undefined;
  private highSurrogate: number | undefined;
  /** A number or literal being read. */
  private bare = '';

  constructor(private readonly options: JsonStreamOptions) {}

  write(chunk: string): void {
    for (let i = 0; i < chunk.length; i++, this.position++) {
      const char = chunk[i];
      if (this.text) {
        // Runs of plain characters are copied at once: strings are most of a catalog.
        if (this.escape === undefined && char !== '"' && char !== '\\') {
          PLAIN_RUN.lastIndex = i;
          PLAIN_RUN.exec(chunk);
          const end = PLAIN_RUN.lastIndex;
          if (end > i) {
            if (this.highSurrogate !== undefined) this.fail('a surrogate escape without its pair');
            this.text.push(chunk.slice(i, end));
            this.position += end - 1 - i;
            i = end - 1;
            continue;
          }
        }
        this.stringChar(char);
        continue;
      }
      const bare = isBareChar(chunk.charCodeAt(i));
      if (this.bare && !bare) this.finishBare();
      if (char === ' ' || char === '\n' || char === '\r' || char === '\t') continue;
      if (bare) {
        if (!this.bare) this.beforeValue();
        this.bare += char;
        continue;
      }
      this.structural(char);
      // A string that ends in this chunk without an escape is sliced out whole.
      if (char === '"') {
        PLAIN_RUN.lastIndex = i + 1;
        PLAIN_RUN.exec(chunk);
        const end = PLAIN_RUN.lastIndex;
        if (chunk[end] === '"') {
          this.text = [chunk.slice(i + 1, end)];
          this.position += end - i;
          i = end;
          this.finishString();
        }
      }
    }
  }

  /** The document, once every chunk is written. */
  end(): unknown {
    if (this.text) this.fail('unterminated string');
    if (this.bare) this.finishBare();
    if (this.stack.length) this.fail('unexpected end of input');
    if (!this.root) this.fail('no JSON value');
    return this.root.value;
  }

  private structural(char: string): void {
    const top = this.stack[this.stack.length - 1];
    switch (char) {
      case '{':
      case '[': {
        this.beforeValue();
        const path = this.pathOfNext();
        if (this.stack.length >= MAX_JSON_DEPTH) this.fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
        this.stack.push(
          char === '{'
            ? { kind: 'object', value: {}, path, expect: 'key' }
            : { kind: 'array', value: [], path, count: 0, expect: 'value' },
        );
        return;
      }
      case '}':
      case ']': {
        const kind = char === '}' ? 'object' : 'array';
        if (!top || top.kind !== kind) this.fail(`unexpected ${char}`);
        // `{}` and `[]`, or a value just completed; never after a comma or a colon.
        const empty =
          top.kind === 'object'
            ? top.expect === 'key' && Object.keys(top.value).length === 0
            : top.expect === 'value' && top.count === 0;
        if (!empty && top.expect !== 'next') this.fail(`unexpected ${char}`);
        this.stack.pop();
        this.complete(top.value, top.path);
        return;
      }
      case ',':
        if (!top || top.expect !== 'next') this.fail('unexpected ,');
        top.expect = top.kind === 'object' ? 'key' : 'value';
        return;
      case ':':
        if (!top || top.kind !== 'object' || top.expect !== 'colon') this.fail('unexpected :');
        top.expect = 'value';
        return;
      case '"':
        if (!(top?.kind === 'object' && top.expect === 'key')) this.beforeValue();
        this.text = [];
        return;
      default:
        this.fail(`unexpected character ${JSON.stringify(char)}`);
    }
  }

  private stringChar(char: string): void {
    if (this.escape !== undefined) return this.escapeChar(char);
    if (char === '\\') {
      this.escape = '';
      return;
    }
    if (this.highSurrogate !== undefined) this.fail('a surrogate escape without its pair');
    if (char === '"') return this.finishString();
    if (char.charCodeAt(0) < 0x20) this.fail('a control character inside a string');
    (this.text as string[]).push(char);
  }

  private escapeChar(char: string): void {
    const pending = (this.escape as string) + char;
    if (pending.length === 1 && pending !== 'u') {
      const decoded = ESCAPES[pending];
      if (decoded === undefined) this.fail('an invalid escape');
      if (this.highSurrogate !== undefined) this.fail('a surrogate escape without its pair');
      (this.text as string[]).push(decoded);
      this.escape = undefined;
      return;
    }
    if (pending.length > 1 && !/[0-9a-fA-F]/.test(char)) this.fail('an invalid \\u escape');
    if (pending.length < 5) {
      this.escape = pending;
      return;
    }
    this.escape = undefined;
    const code = parseInt(pending.slice(1), 16);
    if (code === 0) this.fail('strings must not contain the NUL character');
    if (this.highSurrogate !== undefined) {
      if (!isLowSurrogate(code)) this.fail('a surrogate escape without its pair');
      (this.text as string[]).push(String.fromCharCode(this.highSurrogate, code));
      this.highSurrogate = undefined;
    } else if (isHighSurrogate(code)) this.highSurrogate = code;
    else if (isLowSurrogate(code)) this.fail('a surrogate escape without its pair');
    else (this.text as string[]).push(String.fromCharCode(code));
  }

  private finishString(): void {
    const value = (this.text as string[]).join('');
    this.text = undefined;
    const top = this.stack[this.stack.length - 1];
    if (top?.kind === 'object' && top.expect === 'key') {
      top.key = value;
      top.expect = 'colon';
      return;
    }
    this.complete(value);
  }

  private finishBare(): void {
    const token = this.bare;
    this.bare = '';
    if (token in LITERALS) return this.complete(LITERALS[token]);
    if (!NUMBER.test(token)) this.fail(`unexpected ${JSON.stringify(token.slice(0, 20))}`);
    this.complete(Number(token));
  }

  /** A value may start here: checks so. */
  private beforeValue(): void {
    const top = this.stack[this.stack.length - 1];
    if (top ? top.expect !== 'value' : this.root !== undefined) this.fail('unexpected value');
  }

  private pathOfNext(): JsonPath {
    const top = this.stack[this.stack.length - 1];
    if (!top) return [];
    return [...top.path, top.kind === 'object' ? (top.key as string) : top.count];
  }

  /** `path` is given for objects and arrays, the only values that can be emitted. */
  private complete(value: unknown, path?: JsonPath): void {
    const top = this.stack[this.stack.length - 1];
    const emitted = path !== undefined && this.options.emitAt(path);
    if (emitted) this.options.onValue(value, path);
    if (!top) {
      this.root = { value: emitted ? undefined : value };
      return;
    }
    if (top.kind === 'object') {
      const key = top.key as string;
      // `__proto__` as a key must be data, as JSON.parse makes it, not the prototype.
      if (emitted) top.key = undefined;
      else if (key === '__proto__') {
        Object.defineProperty(top.value, key, { value, enumerable: true, writable: true, configurable: true });
      } else top.value[key] = value;
      top.key = undefined;
    } else {
      if (!emitted) top.value.push(value);
      top.count++;
    }
    top.expect = 'next';
  }

  private fail(reason: string): never {
    throw new JsonStreamError(reason, this.position);
  }
}
