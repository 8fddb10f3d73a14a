import { BeforeApplicationShutdown, Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import type { HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../../common/auth/roles.js';
import { ProblemException } from '../../common/problem.js';
import { EventsRetentionIndicator } from '../compliance/analytics/jobs/events-retention.indicator.js';
import { SessionStoreIndicator } from '../sessions/session-store.indicator.js';
import { ErasureLedgerIndicator } from '../subjects/erasure-ledger.indicator.js';
import { OutboxHealthIndicator } from '../../infrastructure/outbox/outbox.health.js';
import { DrainSignal } from './drain-signal.js';
import { HealthReportDto } from './dto/health-report.dto.js';
import { ElasticsearchHealthIndicator } from './indicators/elasticsearch.indicator.js';
import { EventLoopHealthIndicator } from './indicators/event-loop.indicator.js';
import { PostgresHealthIndicator } from './indicators/postgres.indicator.js';
import { RedisHealthIndicator } from './indicators/redis.indicator.js';

/** What Terminus' `@HealthCheck()` sets: a probe's answer is never cached. */
const NO_CACHE = 'no-cache, no-store, must-revalidate';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController implements BeforeApplicationShutdown {
  /** Terminus answers `shutting_down` from here on; the liveness probe, which bypasses it, too. */
  private shuttingDown = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly drain: DrainSignal,
    private readonly eventLoop: EventLoopHealthIndicator,
    private readonly postgres: PostgresHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly elasticsearch: ElasticsearchHealthIndicator,
    private readonly sessions: SessionStoreIndicator,
    private readonly outbox: OutboxHealthIndicator,
    private readonly eventsRetention: EventsRetentionIndicator,
    private readonly erasures: ErasureLedgerIndicator,
  ) {}

  @Get('live')
  @Header('Cache-Control', NO_CACHE)
  @ApiOperation({
    operationId: 'getLiveness',
    summary: 'Liveness probe',
    description: 'This process only (its event loop), never its dependencies.',
  })
  @ApiOkResponse({ type: HealthReportDto })
  @ApiProblem(503, 'The event loop is blocked, or the instance is closing', 'unhealthy', 'draining')
  live(): HealthCheckResult {
    // Terminus' result for its one synchronous indicator, without its executor's promises: every
    // kubelet asks every few seconds.
    const details = this.eventLoop.check();
    const up = details.eventLoop.status === 'up';
    const result: HealthCheckResult = {
      status: this.shuttingDown ? 'shutting_down' : up ? 'ok' : 'error',
      info: up ? details : {},
      error: up ? {} : details,
      details,
    };
    if (result.status !== 'ok') throw unhealthy(result);
    return result;
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness probe',
    description:
      'Postgres is required; Redis and Elasticsearch are reported but never fail it. 503 while draining, and until the erasure ledger is applied (`erasures`).',
  })
  @ApiOkResponse({ type: HealthReportDto })
  @ApiProblem(
    503,
    'Postgres is unreachable or erasures from the ledger are not applied yet (`checks` has every indicator), or draining',
    'unhealthy',
    'draining',
  )
  ready(): Promise<HealthCheckResult> {
    if (this.drain.isDraining) {
      throw new ProblemException(503, 'draining', 'The instance is shutting down.');
    }
    return this.run([...this.dependencyChecks(), () => this.erasures.check()]);
  }

  @Get()
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'Every indicator in detail',
    description:
      'Event loop, Postgres, Redis, Elasticsearch, session store, outbox backlog and TimescaleDB policy jobs (degraded when one fails, never 503).',
  })
  @ApiOkResponse({ type: HealthReportDto })
  @ApiProblem(503, 'A required indicator is down (`checks` has every indicator)', 'unhealthy', 'draining')
  full(): Promise<HealthCheckResult> {
    return this.run([
      () => this.eventLoop.check(),
      ...this.dependencyChecks(),
      () => this.outbox.check(),
      () => this.eventsRetention.check(),
    ]);
  }

  private dependencyChecks(): HealthIndicatorFunction[] {
    return [
      () => this.postgres.check(),
      () => this.redis.check(),
      () => this.elasticsearch.check(),
      () => this.sessions.check(),
    ];
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  /** Terminus reports failure as a 503 exception; turn it into a problem document that keeps the details. */
  private async run(checks: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      throw unhealthy(error.getResponse() as HealthCheckResult);
    }
  }
}

function unhealthy(result: HealthCheckResult): ProblemException {
  const failing = Object.keys(result.error ?? {}).join(', ');
  return new ProblemException(503, 'unhealthy', `Unhealthy: ${failing}.`, { checks: result.details });
}
