import type { Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { ProblemException } from '../../../src/common/problem';
import { HealthController } from '../../../src/modules/health/health.controller';
import { EventLoopHealthIndicator } from '../../../src/modules/health/indicators/event-loop.indicator';
import { DrainSignal } from '../../../src/modules/health/drain-signal';
import { PostgresHealthIndicator } from '../../../src/modules/health/indicators/postgres.indicator';
import { RedisHealthIndicator } from '../../../src/modules/health/indicators/redis.indicator';
import { ElasticsearchHealthIndicator } from '../../../src/modules/health/indicators/elasticsearch.indicator';
import { SessionStoreIndicator } from '../../../src/modules/sessions/session-store.indicator';
import { OutboxHealthIndicator } from '../../../src/infrastructure/outbox/outbox.health';
import { EventsRetentionIndicator } from '../../../src/modules/compliance/analytics/jobs/events-retention.indicator';
import { ErasureLedgerIndicator } from '../../../src/modules/subjects/erasure-ledger.indicator';

/** The event-loop indicator with a delay the test chooses. */
class LoopAt {
  delayP99Ms = 3;
  private readonly indicators = new HealthIndicatorService();

  check(key = 'eventLoop') {
    const session = this.indicators.check(key);
    const data = { delayP99Ms: this.delayP99Ms, uptimeSeconds: 7 };
    return this.delayP99Ms > 2_000 ? session.down(data) : session.up(data);
  }
}

/** What the controller answers, or the problem it throws, as plain data. */
async function answer(run: () => unknown): Promise<unknown> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ProblemException)) throw error;
    return { status: error.getStatus(), detail: error.message, ...error.extensions };
  }
}

describe('GET /health/live without Terminus executor', () => {
  let moduleRef: TestingModule;
  let controller: HealthController;
  let loop: LoopAt;
  /** The same indicator through Terminus, as the probe ran before, turned into a problem the same way. */
  const throughTerminus = () =>
    answer(async () => {
      try {
        return await moduleRef.get(HealthCheckService).check([() => loop.check()]);
      } catch (error) {
        const result = (error as { getResponse(): { error: object; details: object } }).getResponse();
        const failing = Object.keys(result.error).join(', ');
        throw new ProblemException(503, 'unhealthy', `Unhealthy: ${failing}.`, { checks: result.details });
      }
    });

  beforeEach(async () => {
    loop = new LoopAt();
    const unused = (type: Type) => ({ provide: type, useValue: {} });
    moduleRef = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        { provide: EventLoopHealthIndicator, useValue: loop },
        unused(DrainSignal),
        unused(PostgresHealthIndicator),
        unused(RedisHealthIndicator),
        unused(ElasticsearchHealthIndicator),
        unused(SessionStoreIndicator),
        unused(OutboxHealthIndicator),
        unused(EventsRetentionIndicator),
        unused(ErasureLedgerIndicator),
      ],
    }).compile();
    controller = moduleRef.get(HealthController);
  });

  it('answers what Terminus answered while the loop is fine', async () => {
    const live = await answer(() => controller.live());
    expect(live).toEqual(await throughTerminus());
    expect(live).toMatchObject({ status: 'ok', details: { eventLoop: { status: 'up', delayP99Ms: 3 } } });
  });

  it('answers 503 unhealthy with the details, as Terminus did, when the loop is stalled', async () => {
    loop.delayP99Ms = 2_500;
    const live = await answer(() => controller.live());
    expect(live).toEqual(await throughTerminus());
    expect(live).toMatchObject({ status: 503, checks: { eventLoop: { status: 'down' } } });
  });

  it('answers 503, as Terminus did, once the application is shutting down', async () => {
    await moduleRef.close();
    const live = await answer(() => controller.live());
    expect(live).toEqual(await throughTerminus());
    expect(live).toMatchObject({ status: 503 });
  });
});
