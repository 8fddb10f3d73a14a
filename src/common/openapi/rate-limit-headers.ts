import type { HeaderObject, OpenAPIObject, OperationObject, ReferenceObject } from '@nestjs/swagger';

const integer = { type: 'integer', minimum: 0 } as const;

/** The headers @nestjs/throttler sets for the limit `name` once it let a request through, whatever the route then answers. */
function countHeaders(name: string): Record<string, HeaderObject> {
  return {
    [`X-RateLimit-Limit-${name}`]: {
      description: `Requests allowed per window by the \`${name}\` limit`,
      schema: integer,
    },
    [`X-RateLimit-Remaining-${name}`]: {
      description: `Requests left in this window of the \`${name}\` limit`,
      schema: integer,
    },
    [`X-RateLimit-Reset-${name}`]: {
      description: `Seconds until this window of the \`${name}\` limit ends`,
      schema: integer,
    },
  };
}

const retryAfter = (of: string): HeaderObject => ({
  description: `Seconds until ${of} lets requests through again`,
  schema: integer,
});

/**
 * Documents the rate-limit headers of an operation that `limits` apply to: the counts on any of
 * its responses (sent once a limit let the request through, so on the route's own errors too; not
 * on what the body parser or a draining instance refuse first), and on its 429 the standard
 * `Retry-After` with the library's per-limit `Retry-After-<limit>`. The headers live once in
 * `components.headers`; operations refer to them. Responses are copied, not changed in place:
 * operations may share a response object.
 */
export function describeRateLimits(document: OpenAPIObject, operation: OperationObject, limits: string[]): void {
  if (!limits.length) return;
  const components = (document.components ??= {});
  const shared = (components.headers ??= {});
  const refer = (headers: Record<string, HeaderObject>): Record<string, ReferenceObject> =>
    Object.fromEntries(
      Object.entries(headers).map(([name, header]) => {
        shared[name] ??= header;
        return [name, { $ref: `#/components/headers/${name}` }];
      }),
    );
  const counts = refer(Object.assign({}, ...limits.map(countHeaders)) as Record<string, HeaderObject>);
  const retry = refer({
    'Retry-After': retryAfter('the limit that refused this request'),
    ...Object.fromEntries(limits.map((name) => [`Retry-After-${name}`, retryAfter(`the \`${name}\` limit`)])),
  });
  for (const [status, response] of Object.entries(operation.responses)) {
    if (!response || '$ref' in response) continue;
    const added = status === '429' ? { ...counts, ...retry } : counts;
    operation.responses[status] = { ...response, headers: { ...response.headers, ...added } };
  }
}
