import { postJson } from '../../common/post-json.js';
import { DeliveryUnavailable } from '../../infrastructure/outbox/outbox-consumer.js';
import type { AuditSnapshot } from '../audit/audit-outbox-event.js';
import type { SiemSink } from './siem-sink.js';

/** Statuses that say "later" rather than "never". */
const RETRY_LATER = new Set([408, 429]);

/**
 * POSTs each batch as `{ "events": [...] }`; any 2xx means shipped. No answer, a 5xx, 408 or 429 is
 * the receiver being unavailable (retried for ever); any other status refuses the batch (counted,
 * dead-lettered at OUTBOX_MAX_ATTEMPTS). Messages never carry the URL or the token.
 */
export class HttpSink implements SiemSink {
  readonly name = 'http';
  private readonly headers: Record<string, string>;

  constructor(
    private readonly url: string,
    token: string | undefined,
    private readonly timeoutMs: number,
  ) {
    this.headers = token ? { authorization: `Bearer ${token}` } : {};
  }

  async ship(events: AuditSnapshot[]): Promise<void> {
    let status: number;
    try {
      status = await postJson(this.url, { events }, { timeoutMs: this.timeoutMs, headers: this.headers });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new DeliveryUnavailable(
        `SIEM endpoint unreachable: ${(error as Error).message}${cause ? ` (${cause})` : ''}`,
      );
    }
    if (status >= 200 && status <= 299) return;
    const message = `SIEM endpoint answered ${status}`;
    if (status >= 500 || RETRY_LATER.has(status)) throw new DeliveryUnavailable(message);
    throw new Error(message);
  }

  /** Nothing to release: each batch is one request. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
