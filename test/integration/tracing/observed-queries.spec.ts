import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { buildDataSourceOptions } from '../../../src/infrastructure/database/data-source-options';
import { observedClient } from '../../../src/infrastructure/database/observed-client';
import { QueryObserver, type QueryLabels } from '../../../src/infrastructure/database/query-observer';
import { QueryOwner } from '../../../src/infrastructure/database/query-owner';
import { Tracing } from '../../../src/infrastructure/tracing/tracing';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { everythingIn, inMemoryTracing } from '../../support/tracing';

const SECRET = 'hunter2-never-in-a-span';

@QueryOwner()
class WidgetsRepository {
  constructor(private readonly dataSource: DataSource) {}

  byName(name: string): Promise<unknown> {
    return this.dataSource.query(`SELECT $1::text AS name, 42 AS answer /* ${SECRET} */`, [name]);
  }

  async broken(): Promise<void> {
    await this.dataSource.query(`SELECT $1::uuid`, [SECRET]);
  }
}

describe('statements through the observed pg client', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let registry: Registry;
  let histogram: Histogram<QueryLabels>;
  let tracing: Tracing;
  let exporter: InMemorySpanExporter;
  let widgets: WidgetsRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ tracing, exporter } = inMemoryTracing());
    registry = new Registry();
    histogram = new Histogram({
      name: 'db_query_duration_seconds',
      help: 'test',
      labelNames: ['repository', 'operation'],
      registers: [registry],
    });
    const settings = new AppConfig(validateEnvironment({ DATABASE_URL: db.url, DATABASE_MIGRATIONS_RUN: 'false' }));
    const client = observedClient(new QueryObserver(tracing, histogram));
    dataSource = await new DataSource(buildDataSourceOptions(settings.database, db.url, client)).initialize();
    widgets = new WidgetsRepository(dataSource);
  });
  beforeEach(() => {
    exporter.reset();
    histogram.reset();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const inTrace = <T>(work: () => Promise<T>) => tracing.run('test', {}, work);
  const counts = async () =>
    (await histogram.get()).values
      .filter((value) => value.metricName === 'db_query_duration_seconds_count')
      .map((value) => ({ ...value.labels, count: value.value }));

  it('traces a statement inside a trace as a CLIENT span, with its text and never its parameters', async () => {
    await inTrace(() => widgets.byName(SECRET));
    const spans = exporter.getFinishedSpans();
    const [statement] = spans.filter((span) => span.kind === SpanKind.CLIENT);
    expect(statement.name).toBe('SELECT');
    expect(statement.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.operation.name': 'SELECT',
      'db.query.text': 'SELECT $1::text AS name, ? AS answer ',
      'db.namespace': db.name,
      'compliance_kit.repository': 'WidgetsRepository',
    });
    expect(statement.parentSpanContext?.spanId).toBe(spans.find((s) => s.name === 'test')?.spanContext().spanId);
    expect(everythingIn(spans)).not.toContain(SECRET);
  });

  it('records a failure by its SQLSTATE only: the message would quote the value', async () => {
    await expect(inTrace(() => widgets.broken())).rejects.toThrow(SECRET);
    const failed = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.CLIENT);
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed?.attributes).toMatchObject({ 'db.response.status_code': '22P02', 'error.type': '22P02' });
    expect(everythingIn(exporter.getFinishedSpans())).not.toContain(SECRET);
  });

  it('leaves statements outside any trace untraced, and times every statement by owner and operation', async () => {
    await widgets.byName('x');
    await dataSource.query('SELECT 1');
    await dataSource.transaction((manager) =>
      manager.query('UPDATE pg_database SET datallowconn = datallowconn WHERE false'),
    );
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(await counts()).toEqual(
      expect.arrayContaining([
        { repository: 'WidgetsRepository', operation: 'select', count: 1 },
        { repository: 'other', operation: 'select', count: 1 },
        { repository: 'other', operation: 'update', count: 1 },
        { repository: 'other', operation: 'transaction', count: 2 },
      ]),
    );
  });

  it('creates no span object at all with tracing off, and still times the statement', async () => {
    const off = new QueryObserver(Tracing.off, histogram);
    const spy = jest.spyOn(Tracing.off, 'startSpan');
    off.start('SELECT 1', {})();
    expect(spy).not.toHaveBeenCalled();
    expect(await counts()).toEqual([{ repository: 'other', operation: 'select', count: 1 }]);
  });
});
