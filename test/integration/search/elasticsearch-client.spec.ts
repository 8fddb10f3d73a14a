import { ElasticsearchService } from '@nestjs/elasticsearch';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { elasticsearchClientOptions } from '../../../src/infrastructure/search/elasticsearch-client-options';
import { ElasticsearchStub } from '../../support/elasticsearch-stub';
import { freePort } from '../../support/spare-services';
import { aCertificateAuthority, TestCertificateAuthority } from '../../support/tls-certificates';
import { waitFor } from '../../support/wait-for';

/**
 * The client as the app builds it, against two local HTTPS nodes that speak just enough of the
 * API (cluster health) and record what they are sent. No Elasticsearch runs here: this checks the
 * requests' shape (TLS, Authorization, which node), not a cluster's answers.
 */
describe('the Elasticsearch client built from ELASTICSEARCH_* (two HTTPS stub nodes)', () => {
  let ca: TestCertificateAuthority;
  let nodes: ElasticsearchStub[];
  let clients: ElasticsearchService[];

  beforeAll(async () => {
    ca = aCertificateAuthority();
    const certificate = ca.issue('es', { commonName: '127.0.0.1', ip: ['127.0.0.1'] });
    nodes = [
      new ElasticsearchStub(await freePort(), certificate),
      new ElasticsearchStub(await freePort(), certificate),
    ];
    await Promise.all(nodes.map((node) => node.start()));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    ca.remove();
  });
  beforeEach(() => {
    clients = [];
    for (const node of nodes) node.requests.length = 0;
  });
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
  });

  const clientFor = (environment: Record<string, string>) => {
    const settings = new AppConfig(
      validateEnvironment({ ELASTICSEARCH_NODES: nodes.map((node) => node.url).join(','), ...environment }),
    ).elasticsearch;
    const client = new ElasticsearchService(elasticsearchClientOptions(settings!));
    clients.push(client);
    return client;
  };
  /** Which node served each check, in order. */
  const healthChecks = async (client: ElasticsearchService, count: number) => {
    const served: number[] = [];
    for (let i = 0; i < count; i++) {
      const before = nodes.map((node) => node.requests.length);
      await client.cluster.health();
      served.push(nodes.findIndex((node, n) => node.requests.length > before[n]));
    }
    return served;
  };
  const seen = () => nodes.map((node) => node.requests);

  it('sends the API key as `Authorization: ApiKey …` on every request, the nodes taking turns', async () => {
    const client = clientFor({ ELASTICSEARCH_API_KEY: 'aWQ6c2VjcmV0', ELASTICSEARCH_CA_FILE: ca.caFile });
    const served = await healthChecks(client, 6);
    expect([
      [0, 1, 0, 1, 0, 1],
      [1, 0, 1, 0, 1, 0],
    ]).toContainEqual(served);
    const [first, second] = seen();
    for (const request of [...first, ...second]) {
      expect(request).toEqual({ method: 'GET', path: '/_cluster/health', authorization: 'ApiKey aWQ6c2VjcmV0' });
    }
  });

  it('sends basic auth from ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD', async () => {
    const client = clientFor({
      ELASTICSEARCH_USERNAME: 'compliance-kit',
      ELASTICSEARCH_PASSWORD: 'pa:ss wörd',
      ELASTICSEARCH_CA_FILE: ca.caFile,
    });
    await healthChecks(client, 2);
    const expected = `Basic ${Buffer.from('compliance-kit:pa:ss wörd').toString('base64')}`;
    expect(seen().map((requests) => requests.map((request) => request.authorization))).toEqual([
      [expected],
      [expected],
    ]);
  });

  it('sends no Authorization header without credentials', async () => {
    await healthChecks(clientFor({ ELASTICSEARCH_CA_FILE: ca.caFile }), 2);
    expect(
      seen()
        .flat()
        .map((request) => request.authorization),
    ).toEqual([undefined, undefined]);
  });

  it('refuses nodes whose certificate does not chain to ELASTICSEARCH_CA_FILE (unset: Node CAs)', async () => {
    const other = aCertificateAuthority('Someone else');
    try {
      for (const environment of [{ ELASTICSEARCH_CA_FILE: other.caFile }, {}] as Record<string, string>[]) {
        const client = clientFor({ ELASTICSEARCH_API_KEY: 'aWQ6c2VjcmV0', ...environment });
        await expect(client.cluster.health()).rejects.toThrow(/certificate/i);
      }
      // Refused during the handshake: the key never left.
      expect(seen().flat()).toEqual([]);
    } finally {
      other.remove();
    }
  });

  it('does not sniff unless ELASTICSEARCH_SNIFF is on, then asks a node for the cluster’s nodes at start', async () => {
    await healthChecks(clientFor({ ELASTICSEARCH_CA_FILE: ca.caFile }), 2);
    expect(
      seen()
        .flat()
        .filter((request) => request.path.startsWith('/_nodes')),
    ).toEqual([]);

    clientFor({ ELASTICSEARCH_CA_FILE: ca.caFile, ELASTICSEARCH_SNIFF: 'true' });
    await waitFor(
      () =>
        seen()
          .flat()
          .some((request) => request.path === '/_nodes/_all/http'),
      5_000,
    );
  });
});
