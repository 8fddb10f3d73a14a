import { SpanKind } from '@opentelemetry/api';
import { Redis } from 'ioredis';
import { traceRedis } from '../../../src/infrastructure/redis/traced-redis';
import { TEST_REDIS_URL } from '../../support/database';
import { childrenOf, everythingIn, inMemoryTracing } from '../../support/tracing';

describe('Redis commands under tracing', () => {
  const { tracing, exporter } = inMemoryTracing();
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { enableAutoPipelining: true, lazyConnect: true });
    traceRedis(redis, tracing);
    await redis.connect();
  });
  beforeEach(() => exporter.reset());
  afterAll(() => redis.quit());

  const key = `cktest:tracing:${process.pid}`;

  it('makes each command a CLIENT span named after it, with no key or value', async () => {
    await tracing.run('request', {}, async () => {
      await redis.set(key, 'secret-session-value', 'PX', 5_000);
      await redis.get(key);
    });
    const spans = exporter.getFinishedSpans();
    const request = spans.find((span) => span.name === 'request')!;
    const commands = childrenOf(spans, request);
    expect(commands.map((span) => span.name).sort()).toEqual(['GET', 'SET']);
    expect(commands[0]).toMatchObject({ kind: SpanKind.CLIENT });
    expect(commands[0].attributes).toMatchObject({ 'db.system.name': 'redis', 'db.namespace': '0' });
    expect(everythingIn(spans)).not.toContain('secret-session-value');
    expect(everythingIn(spans)).not.toContain(key);
  });

  it('keeps each command in the trace that issued it when concurrent requests share one auto-pipeline', async () => {
    await Promise.all(['first', 'second'].map((name) => tracing.run(name, {}, () => redis.get(key))));
    const spans = exporter.getFinishedSpans();
    for (const name of ['first', 'second']) {
      const request = spans.find((span) => span.name === name)!;
      expect(childrenOf(spans, request).map((span) => span.name)).toEqual(['GET']);
    }
  });

  it('leaves commands outside any trace untraced', async () => {
    await redis.get(key);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
