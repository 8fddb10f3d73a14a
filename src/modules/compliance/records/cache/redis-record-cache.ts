import type { RedisClient } from '../../../../infrastructure/redis/redis-clients.js';
import type { RecordResponse } from '../dto/record.response.js';
import { CacheEntry, RecordCache, recordCacheKey } from './record-cache.js';

/** SET unless the stored entry has a higher version; atomic, so concurrent writers cannot interleave. */
const SET_IF_NOT_OLDER = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and tonumber(decoded.version) > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

export class RedisRecordCache implements RecordCache {
  readonly kind = 'redis' as const;

  constructor(
    private readonly client: RedisClient,
    private readonly ttlSeconds: number,
    private readonly namespace: string,
  ) {}

  async get(id: string): Promise<CacheEntry | undefined> {
    const raw = await this.client.get(recordCacheKey(this.namespace, id));
    return raw ? (JSON.parse(raw) as CacheEntry) : undefined;
  }

  put(record: RecordResponse): Promise<void> {
    return this.store(record.id, { version: record.version, record });
  }

  invalidate(id: string, version: number): Promise<void> {
    return this.store(id, { version, record: null });
  }

  private async store(id: string, entry: CacheEntry): Promise<void> {
    await this.client.eval(
      SET_IF_NOT_OLDER,
      1,
      recordCacheKey(this.namespace, id),
      JSON.stringify(entry),
      entry.version,
      this.ttlSeconds,
    );
  }
}
