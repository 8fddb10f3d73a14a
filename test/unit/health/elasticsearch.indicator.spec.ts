import { errors } from '@elastic/elasticsearch';
import Mock from '@elastic/elasticsearch-mock';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ElasticsearchService } from '@nestjs/elasticsearch';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { ElasticsearchConnection } from '../../../src/infrastructure/search/elasticsearch.connection';
import { ElasticsearchHealthIndicator } from '../../../src/modules/health/indicators/elasticsearch.indicator';

describe('ElasticsearchHealthIndicator', () => {
  const config = new AppConfig(validateEnvironment({ HEALTH_CHECK_TIMEOUT_MS: '500' }));
  let mock: Mock;
  let indicator: ElasticsearchHealthIndicator;

  beforeEach(() => {
    mock = new Mock();
    // The mock is typed against the transport's CommonJS build, the client against its ESM build.
    const Connection = mock.getConnection() as unknown as ConstructorParameters<
      typeof ElasticsearchService
    >[0]['Connection'];
    // No retries, as the app's client: a retry's backoff timer would outlive the test.
    const client = new ElasticsearchService({ node: 'http://es.invalid:9200', Connection, maxRetries: 0 });
    indicator = new ElasticsearchHealthIndicator(
      new HealthIndicatorService(),
      new ElasticsearchConnection(client),
      config,
    );
  });

  it('reports disabled when no node is configured', async () => {
    const unconfigured = new ElasticsearchHealthIndicator(
      new HealthIndicatorService(),
      new ElasticsearchConnection(),
      config,
    );
    expect(await unconfigured.check()).toEqual({ elasticsearch: { status: 'up', state: 'disabled' } });
  });

  it('asks for cluster health with a server-side timeout and reports a yellow cluster as up', async () => {
    let query: unknown;
    mock.add({ method: 'GET', path: '/_cluster/health' }, (params) => {
      query = params.querystring;
      return { status: 'yellow', cluster_name: 'test' };
    });
    const result = await indicator.check();
    expect(result.elasticsearch).toMatchObject({ status: 'up', state: 'up', cluster: 'yellow' });
    expect(query).toEqual({ timeout: '500ms' });
  });

  it('reports a red cluster as down without failing the check (degraded)', async () => {
    mock.add({ method: 'GET', path: '/_cluster/health' }, () => ({ status: 'red' }));
    expect((await indicator.check()).elasticsearch).toMatchObject({
      status: 'degraded',
      state: 'down',
      message: 'cluster status is red',
    });
  });

  it('reports an unreachable node as down without failing the check', async () => {
    mock.add({ method: 'GET', path: '/_cluster/health' }, () => new errors.ConnectionError('connect ECONNREFUSED'));
    expect((await indicator.check()).elasticsearch).toMatchObject({ status: 'degraded', state: 'down' });
  });
});
