import type { RedisClient } from '../../../../infrastructure/redis/redis-clients.js';
import { CacheEntry, CachedView, RecordCache, recordCacheKey } from './record-cache.js';

/** SET unless the stored entry has a higher version; atomic, so concurrent writers cannot interleave. */
const SET_IF_NOT_OLDER = `
local current = redis.call('GET', KEYS[1])
if current then
  local version = tonumber(string.match(current, '^%d+'))
  if version and version > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

/**
 * An entry is `<version>\t<generation>\t<notes as JSON>\n<json>`, a tombstone `<version>\n`: the
 * version leads for the script, and a hit reads the body by slicing, without parsing it.
 */
function encode(entry: CacheEntry): string {
  const { version, view } = entry;
  return view ? `${version}\t${view.generation}\t${JSON.stringify(view.evidenceNotes)}\n${view.json}` : `${version}\n`;
}

/** Undefined for an entry that is not this record's (copied from another key): a miss. */
function decode(id: string, raw: string): CacheEntry | undefined {
  const lineEnd = raw.indexOf('\n');
  const [version, generation, notes] = raw.slice(0, lineEnd).split('\t');
  const entry = { version: Number(version) };
  if (notes === undefined) return { ...entry, view: null };
  const json = raw.slice(lineEnd + 1);
  if (!json.startsWith(`{"id":"${id}"`)) return undefined;
  const evidenceNotes = notes === 'null' ? null : (JSON.parse(notes) as string);
  return { ...entry, view: { id, version: entry.version, generation, json, evidenceNotes } };
}

export class RedisRecordCache implements RecordCache {
  readonly kind = 'redis' as const;

  constructor(
    private readonly client: RedisClient,
    private readonly ttlSeconds: number,
    private readonly namespace: string,
  ) {}

  async get(id: string): Promise<CacheEntry | undefined> {
    const raw = await this.client.get(recordCacheKey(this.namespace, id));
    return raw ? decode(id, raw) : undefined;
  }

  put(view: CachedView): Promise<void> {
    return this.store(view.id, { version: view.version, view });
  }

  invalidate(id: string, version: number): Promise<void> {
    return this.store(id, { version, view: null });
  }

  private async store(id: string, entry: CacheEntry): Promise<void> {
    await this.client.eval(
      SET_IF_NOT_OLDER,
      1,
      recordCacheKey(this.namespace, id),
      encode(entry),
      entry.version,
      this.ttlSeconds,
    );
  }
}
