import { Readable } from 'node:stream';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { JsonStreamError, JsonStreamParser, type JsonStreamOptions } from './json-stream.js';
import { ProblemException } from './problem.js';

type StreamedRequest = FastifyRequest & { streamedBody?: AsyncIterable<Buffer> };

/**
 * The routes in `urls` get their body as a stream (`@StreamedBody()`) instead of a parsed value:
 * before parsing, the request's payload is set aside and the body parser is handed an empty one,
 * which it reads as no body. Content type, and a Content-Length above the route's body limit, are
 * still refused by Fastify first. The connection closes after the answer, as the body may not have
 * been read to its end. Must run before the routes are registered.
 */
export function streamBodiesOf(fastify: FastifyInstance, urls: string[]): void {
  fastify.addHook('onRoute', (route) => {
    if (!urls.includes(route.url)) return;
    const own = route.preParsing ? [route.preParsing].flat() : [];
    route.preParsing = [
      ...own,
      async (request: StreamedRequest, reply, payload) => {
        request.streamedBody = payload;
        // A handler that refuses the body stops reading it: the rest must not be taken for the next request.
        void reply.header('connection', 'close');
        const declared = Number(request.headers['content-length']);
        // The parser compares what it read with Content-Length; the real body is read by the handler.
        return Object.assign(Readable.from([]), { receivedEncodedLength: Number.isNaN(declared) ? 0 : declared });
      },
    ];
  });
}

/** Controller parameter on a route of `streamBodiesOf`: the body's bytes, not yet read. */
export const StreamedBody = createParamDecorator(
  (_: unknown, context: ExecutionContext): AsyncIterable<Buffer> =>
    context.switchToHttp().getRequest<StreamedRequest>().streamedBody ?? Readable.from([]),
);

/**
 * Parses a JSON body as it arrives (JsonStreamParser), refusing more than `limitBytes` and bytes
 * that are not UTF-8 with the problems the buffered parser gives (413, 400 `malformed-body`).
 * Resolves to the document without the emitted values; undefined for an empty body.
 */
export async function parseStreamedJson(
  body: AsyncIterable<Buffer>,
  limitBytes: number,
  options: JsonStreamOptions,
): Promise<unknown> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const parser = new JsonStreamParser(options);
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += chunk.length;
      if (bytes > limitBytes) {
        throw new ProblemException(413, 'payload-too-large', `The body is larger than ${limitBytes} bytes.`);
      }
      parser.write(decoder.decode(chunk, { stream: true }));
    }
    parser.write(decoder.decode());
    return bytes === 0 ? undefined : parser.end();
  } catch (error) {
    if (error instanceof JsonStreamError)
      throw new ProblemException(400, 'malformed-body', `Malformed JSON: ${error.message}.`);
    if ((error as { code?: string }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw new ProblemException(400, 'malformed-body', 'The body is not valid UTF-8.');
    }
    throw error;
  }
}
