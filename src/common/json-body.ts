import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PROBLEM_CONTENT_TYPE, problemTypeOf } from './problem.js';

/** Deeper bodies are refused before parsing: class-transformer recurses and would overflow the stack. */
export const MAX_JSON_DEPTH = 64;
/** class-transformer is quadratic in an object's key count (50k keys: seconds of CPU per request). */
export const MAX_OBJECT_MEMBERS = 1_000;
const UNPAIRED_SURROGATE = 'strings must be well-formed Unicode (a surrogate escape without its pair)';
const INVALID_UTF8 = 'the body is not valid UTF-8';
/**
 * `Buffer.toString('utf8')` turns invalid bytes (C3 28, an overlong C0 AF, an encoded surrogate
 * ED A0 80) into U+FFFD, which would be stored as a silently altered value; this decoder throws
 * instead. The BOM is kept, so a body that starts with one is still not JSON.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body as text, or undefined when its bytes are not UTF-8. */
export function decodeUtf8(body: Buffer): string | undefined {
  try {
    return UTF8.decode(body);
  } catch {
    return undefined;
  }
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
const escapedCodeAt = (text: string, i: number) =>
  text[i] === '\\' && text[i + 1] === 'u' ? parseInt(text.slice(i + 2, i + 6), 16) : NaN;

/**
 * Why a JSON text is refused before it is parsed, or undefined. Besides depth and key count, two
 * escapes PostgreSQL cannot store are refused, as they would fail later as a 500: `\u0000`, and a
 * UTF-16 surrogate escape without its pair (json and jsonb reject it). String contents are
 * skipped with `indexOf` (native), not char by char: a 10,000-record bulk body is 3 MB.
 */
export function jsonBodyDefect(text: string): string | undefined {
  const members: number[] = [];
  let nextEscape = text.indexOf('\\');
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      let end = text.indexOf('"', i + 1);
      // A backslash outside strings (invalid JSON, refused by the parser) is not an escape.
      if (nextEscape !== -1 && nextEscape < i) nextEscape = text.indexOf('\\', i);
      while (nextEscape !== -1 && nextEscape < end) {
        const code = escapedCodeAt(text, nextEscape);
        if (code === 0) return 'strings must not contain the NUL character';
        if (isLowSurrogate(code)) return UNPAIRED_SURROGATE;
        let after = nextEscape + 2;
        if (isHighSurrogate(code)) {
          if (!isLowSurrogate(escapedCodeAt(text, nextEscape + 6))) return UNPAIRED_SURROGATE;
          after = nextEscape + 8;
        }
        // An escaped quote does not end the string.
        if (end < after) end = text.indexOf('"', after);
        nextEscape = text.indexOf('\\', after);
      }
      if (end === -1) return undefined;
      i = end;
    } else if (char === '{' || char === '[') {
      members.push(0);
      if (members.length > MAX_JSON_DEPTH) return `JSON nesting deeper than ${MAX_JSON_DEPTH} levels`;
    } else if (char === '}' || char === ']') members.pop();
    else if (char === ':' && ++members[members.length - 1] > MAX_OBJECT_MEMBERS) {
      return `objects may have at most ${MAX_OBJECT_MEMBERS} members`;
    }
  }
  return undefined;
}

/**
 * Fastify's own JSON parser (prototype-poisoning checks kept), behind a strict UTF-8 decoder and
 * `jsonBodyDefect`. An empty body is no body: clients send `content-type: application/json` on
 * bodiless POSTs such as logout. It is the only body parser: `removeNonJsonParsers` drops the rest.
 */
export function useGuardedJsonParser(app: NestFastifyApplication, bodyLimit: number): void {
  const parse = app.getHttpAdapter().getInstance().getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit }, (request, body, done) => {
    const text = decodeUtf8(body as Buffer);
    if (text === undefined) return done(Object.assign(new Error(INVALID_UTF8), { statusCode: 400 }), undefined);
    if (text.length === 0) return done(null, undefined);
    const defect = jsonBodyDefect(text);
    if (defect) return done(Object.assign(new Error(defect), { statusCode: 400 }), undefined);
    void parse(request as Parameters<typeof parse>[0], text, done);
  });
}

/**
 * JSON routes take `application/json` only: Fastify's built-in `text/plain` parser goes (Nest's
 * form parser is never registered: `bodyParser: false`), so a form or text post, the kind a
 * cross-site page can send without a preflight, is a 415 before any handler runs.
 */
export function removeNonJsonParsers(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
    if (fastify.hasContentTypeParser(type)) fastify.removeContentTypeParser(type);
  }
}

/**
 * Errors Node reports before a request exists (oversized headers, malformed request line,
 * timeouts) still get a problem document instead of Fastify's plain JSON.
 */
export function problemClientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const title = STATUS_CODES[status] ?? 'Error';
  const body = JSON.stringify({ type: problemTypeOf(status), title, status, detail: 'The request could not be read.' });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nConnection: close\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
