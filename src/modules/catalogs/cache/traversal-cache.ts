import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { CONTROL_GRAPH_CACHE, CONTROL_GRAPH_CACHE_METRIC, type ControlGraphCache } from './control-graph-cache.js';

/**
 * Cache-aside for graph answers that depend on catalogs and mappings only. Concurrent misses for one
 * key in this process share one query; a cache failure is counted and the answer comes from Postgres.
 * `undefined` (nothing found) is not cached.
 */
@Injectable()
export class TraversalCache {
  private readonly logger = new Logger('ControlGraphCache');
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(CONTROL_GRAPH_CACHE) private readonly cache: ControlGraphCache,
    @InjectMetric(CONTROL_GRAPH_CACHE_METRIC) private readonly requests: Counter<'result'>,
  ) {}

  async remember<T>(key: string, compute: () => Promise<T | undefined>): Promise<T | undefined> {
    const lookup = await this.cache.get(key).catch((error: Error) => this.failed('get', error));
    if (lookup?.value !== undefined) {
      this.requests.inc({ result: 'hit' });
      return lookup.value as T;
    }
    if (lookup) this.requests.inc({ result: 'miss' });
    let pending = this.inFlight.get(key) as Promise<T | undefined> | undefined;
    if (!pending) {
      pending = compute()
        .then(async (value) => {
          if (lookup && value !== undefined) {
            await this.cache.put(lookup.generation, key, value).catch((error: Error) => this.failed('put', error));
          }
          return value;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** Called by imports after commit, so the next read sees the new graph; the outbox consumer repeats it durably. */
  async invalidate(): Promise<void> {
    await this.cache.invalidate().catch((error: Error) => this.failed('invalidate', error));
  }

  /**
   * The graph's current generation, for caches of views built from it (record control titles);
   * undefined when the cache cannot tell, so such a view is neither served nor stored.
   */
  generation(): Promise<string | undefined> {
    return this.cache.generation().catch((error: Error) => this.failed('generation', error));
  }

  private failed(operation: string, error: Error): undefined {
    this.requests.inc({ result: 'error' });
    this.logger.warn(`cache ${operation} failed: ${error.message}`);
    return undefined;
  }
}
