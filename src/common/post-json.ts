import { withTraceContext } from './trace-context.js';

/**
 * POSTs `body` as JSON and answers the response status, the response body discarded. Rejects on a
 * network error or when no answer came within `timeoutMs`. Inside a trace the request carries its
 * `traceparent`, so the receiver's spans join it.
 */
export async function postJson(
  url: string,
  body: unknown,
  options: { timeoutMs: number; headers?: Record<string, string> },
): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: withTraceContext({ 'content-type': 'application/json', ...options.headers }),
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  await response.body?.cancel();
  return response.status;
}
