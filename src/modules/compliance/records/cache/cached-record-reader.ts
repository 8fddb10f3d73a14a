import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { RecordResponse } from '../dto/record.response.js';
import { RECORD_CACHE, type RecordCache } from './record-cache.js';

export const RECORD_CACHE_METRIC = 'compliance_record_cache_requests_total';

/**
 * Cache-aside reads with a stampede guard: concurrent misses for one id in this process share one
 * database load. Any cache failure is counted and the read falls through to Postgres.
 */
@Injectable()
export class CachedRecordReader {
  private readonly logger = new Logger('RecordCache');
  private readonly inFlight = new Map<string, Promise<RecordResponse | undefined>>();

  constructor(
    @Inject(RECORD_CACHE) private readonly cache: RecordCache,
    @InjectMetric(RECORD_CACHE_METRIC) private readonly requests: Counter<'result'>,
  ) {}

  async read(id: string, load: () => Promise<RecordResponse | undefined>): Promise<RecordResponse | undefined> {
    const entry = await this.cache.get(id).catch((error: Error) => this.failed('get', error));
    if (entry?.record) {
      this.requests.inc({ result: 'hit' });
      return entry.record;
    }
    if (entry !== null) this.requests.inc({ result: 'miss' });
    return this.singleFlight(id, load);
  }

  /** Called by writes after commit; the outbox consumer repeats it durably if this one fails. */
  async invalidate(id: string, version: number): Promise<void> {
    await this.cache.invalidate(id, version).catch((error: Error) => this.failed('invalidate', error));
  }

  private singleFlight(id: string, load: () => Promise<RecordResponse | undefined>) {
    let pending = this.inFlight.get(id);
    if (!pending) {
      pending = load()
        .then(async (record) => {
          if (record) await this.cache.put(record).catch((error: Error) => this.failed('put', error));
          return record;
        })
        .finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, pending);
    }
    return pending;
  }

  private failed(operation: string, error: Error): null {
    this.requests.inc({ result: 'error' });
    this.logger.warn(`cache ${operation} failed: ${error.message}`);
    return null;
  }
}
