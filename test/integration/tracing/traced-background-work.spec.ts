import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Redis } from 'ioredis';
import { BullJobQueue } from '../../../src/infrastructure/queue/bull-job-queue';
import { InProcessJobQueue } from '../../../src/infrastructure/queue/in-process-job-queue';
import type { JobQueue } from '../../../src/infrastructure/queue/job-queue';
import type { Tracing } from '../../../src/infrastructure/tracing/tracing';
import { TEST_REDIS_URL } from '../../support/database';
import { anAggregate, OutboxHarness, RecordingConsumer, startOutboxHarness } from '../../support/outbox-harness';
import { childrenOf, inMemoryTracing } from '../../support/tracing';
import { waitFor } from '../../support/wait-for';
import { redisClientsFor } from '../../support/redis-topologies';

type Closable = JobQueue & { onApplicationShutdown(): Promise<void> };

/** Bull keeps failed jobs in Redis; each queue's keys go when the file is done. */
const prefixes: string[] = [];
const aPrefix = () => prefixes[prefixes.push(`cktest-${randomBytes(4).toString('hex')}`) - 1];
afterAll(async () => {
  const redis = new Redis(TEST_REDIS_URL);
  for (const prefix of prefixes) {
    for await (const keys of redis.scanStream({ match: `${prefix}:*` }) as AsyncIterable<string[]>) {
      if (keys.length) await redis.unlink(...keys);
    }
  }
  redis.disconnect();
});

describe.each([
  ['in-process', (tracing: Tracing) => new InProcessJobQueue(tracing) as Closable],
  [
    'bull',
    (tracing: Tracing) =>
      new BullJobQueue(redisClientsFor({ REDIS_URL: TEST_REDIS_URL }), aPrefix(), tracing) as Closable,
  ],
])('job spans (%s)', (kind, create) => {
  const { tracing, exporter } = inMemoryTracing();
  let queue: Closable;
  beforeEach(() => {
    exporter.reset();
    queue = create(tracing);
  });
  afterEach(() => queue.onApplicationShutdown());

  it('runs every job as a root CONSUMER span, whatever trace enqueued it, with the handler inside it', async () => {
    const inside: (string | undefined)[] = [];
    queue.process('traced.job', async () => {
      await tracing.run('handler work', {}, async () => undefined);
      inside.push('ran');
    });
    await tracing.run('request', {}, () => queue.add('traced.job', {}));
    await waitFor(() => exporter.getFinishedSpans().some((span) => span.name === 'process traced.job'));
    const spans = exporter.getFinishedSpans();
    const job = spans.find((span) => span.name === 'process traced.job')!;
    const request = spans.find((span) => span.name === 'request')!;
    expect(job.kind).toBe(SpanKind.CONSUMER);
    expect(job.parentSpanContext).toBeUndefined();
    expect(job.spanContext().traceId).not.toBe(request.spanContext().traceId);
    expect(job.attributes).toMatchObject({
      'messaging.system': kind,
      'messaging.destination.name': 'traced.job',
      'messaging.operation.type': 'process',
      'compliance_kit.job.attempt': 1,
    });
    expect(childrenOf(spans, job).map((span) => span.name)).toEqual(['handler work']);
  });

  it('marks a failed attempt as an error span, without the error message', async () => {
    queue.process('failing.job', async () => {
      throw new Error('secret detail');
    });
    await queue.add('failing.job', {}, { attempts: 1 });
    await waitFor(() => exporter.getFinishedSpans().some((span) => span.name === 'process failing.job'));
    const [failed] = exporter.getFinishedSpans();
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(failed.attributes['error.type']).toBe('Error');
  });
});

describe('outbox relay round spans', () => {
  const { tracing, exporter } = inMemoryTracing();
  let h: OutboxHarness;
  let consumer: RecordingConsumer;
  beforeEach(async () => {
    exporter.reset();
    h = await startOutboxHarness();
    consumer = new RecordingConsumer('widgets');
    h.registry.register(consumer);
  });
  afterEach(() => h.close());

  it('makes a round that delivers rows a span, parent of the consumer’s work; an idle round leaves none', async () => {
    await h.relay(tracing).drain();
    expect(exporter.getFinishedSpans().filter((span) => span.name === 'outbox.relay.round')).toEqual([]);

    await h.transactions.run(() => h.writer.append('record.updated', anAggregate(), { n: 1 }));
    const handle = consumer.handle.bind(consumer);
    consumer.handle = (events) => tracing.run('consumer work', {}, () => handle(events));
    await h.relay(tracing).drain();
    const spans = exporter.getFinishedSpans();
    const rounds = spans.filter((span) => span.name === 'outbox.relay.round');
    expect(rounds).toHaveLength(1);
    expect(rounds[0].attributes).toEqual({
      'compliance_kit.outbox.consumer': 'widgets',
      'compliance_kit.outbox.rows': 1,
    });
    expect(childrenOf(spans, rounds[0]).map((span) => span.name)).toEqual(['consumer work']);
  });
});
