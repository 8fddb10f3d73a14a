import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { CatalogsService } from '../../../catalogs/catalogs.service.js';
import { type CachedView, RECORD_CACHE, type RecordCache } from './record-cache.js';

export const RECORD_CACHE_METRIC = 'compliance_record_cache_requests_total';

/** Loads a record's view on a miss; `generation` is the control graph's, read before the load. */
export type ViewLoader = (generation: string) => Promise<CachedView | undefined>;

/**
 * Cache-aside reads with a stampede guard: concurrent misses for one id in this process share one
 * database load. A view is served only if it was built in the control graph's current generation,
 * so a catalog change shows at once on cached records (their control titles). Any cache failure is
 * counted and the read falls through to Postgres.
 */
@Injectable()
export class CachedRecordReader {
  private readonly logger = new Logger('RecordCache');
  private readonly inFlight = new Map<string, Promise<CachedView | undefined>>();

  constructor(
    @Inject(RECORD_CACHE) private readonly cache: RecordCache,
    private readonly catalogs: CatalogsService,
    @InjectMetric(RECORD_CACHE_METRIC) private readonly requests: Counter<'result'>,
  ) {}

  async read(id: string, load: ViewLoader): Promise<CachedView | undefined> {
    // Issued in one tick: the client's auto-pipelining sends both in one write.
    const [generation, entry] = await Promise.all([
      this.catalogs.controlGraphGeneration(),
      this.cache.get(id).catch((error: Error) => this.failed('get', error)),
    ]);
    if (generation !== undefined && entry?.view?.generation === generation) {
      this.requests.inc({ result: 'hit' });
      return entry.view;
    }
    if (entry !== null) this.requests.inc({ result: 'miss' });
    return this.singleFlight(id, generation, load);
  }

  /** Called by writes after commit; the outbox consumer repeats it durably if this one fails. */
  async invalidate(id: string, version: number): Promise<void> {
    await this.cache.invalidate(id, version).catch((error: Error) => this.failed('invalidate', error));
  }

  /** Without a known generation the view is loaded (titled as of now) but not stored. */
  private singleFlight(id: string, generation: string | undefined, load: ViewLoader) {
    const key = `${id}\u0000${generation ?? ''}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = load(generation ?? '')
        .then(async (view) => {
          if (view && generation !== undefined) {
            await this.cache.put(view).catch((error: Error) => this.failed('put', error));
          }
          return view;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private failed(operation: string, error: Error): null {
    this.requests.inc({ result: 'error' });
    this.logger.warn(`cache ${operation} failed: ${error.message}`);
    return null;
  }
}
