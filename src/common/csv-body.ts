import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { errorCodes } from 'fastify';
import { decodeUtf8 } from './json-body.js';

/** A `text/csv` body as a handler receives it: no JSON body is an instance, so a route tells the two apart. */
export class CsvBody {
  constructor(readonly text: string) {}
}

const UTF8_CHARSETS = new Set(['utf-8', 'utf8']);

function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '');
  return match?.[1].toLowerCase();
}

/**
 * `text/csv` (UTF-8, the default when no charset is given) for the listed routes only; anywhere
 * else it stays the 415 it was, and an unknown route still 404s. The text is decoded as strictly
 * as JSON is (invalid UTF-8 is a 400); the route parses it. CSV is not a type a cross-site form
 * can send without a preflight.
 */
export function useCsvBodyParser(app: NestFastifyApplication, routes: readonly string[]): void {
  const accepting = new Set(routes);
  app.useBodyParser('text/csv', {}, (request, body, done) => {
    if (request.is404) return done(null, undefined);
    if (!accepting.has(request.routeOptions.url ?? '')) return done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE());
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && !UTF8_CHARSETS.has(charset)) {
      return done(Object.assign(new Error('text/csv bodies must be UTF-8'), { statusCode: 415 }), undefined);
    }
    const text = decodeUtf8(body);
    if (text === undefined) {
      return done(Object.assign(new Error('the body is not valid UTF-8'), { statusCode: 400 }), undefined);
    }
    done(null, new CsvBody(text));
  });
}
