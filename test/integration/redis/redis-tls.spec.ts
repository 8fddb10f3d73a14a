import { randomBytes } from 'node:crypto';
import Bull from 'bull';
import { BullJobQueue } from '../../../src/infrastructure/queue/bull-job-queue';
import type { RedisClient } from '../../../src/infrastructure/redis/redis-clients';
import {
  aRedisCertificate,
  redisClientsFor,
  RedisTls,
  SpareRedisCluster,
  SpareSentinelSet,
  SpareTlsRedis,
} from '../../support/redis-topologies';
import { waitFor } from '../../support/wait-for';

const aPrefix = () => `cktest-${randomBytes(4).toString('hex')}`;
const ready = (client: RedisClient) =>
  new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
  });

/** Every server here listens for TLS only: a client that silently fell back to plain TCP gets nowhere. */
describe('Redis over TLS, trusting REDIS_TLS_CA_FILE', () => {
  let certificate: RedisTls & { remove(): void };
  beforeAll(() => (certificate = aRedisCertificate()));
  afterAll(() => certificate?.remove());

  describe('one server, rediss://', () => {
    let server: SpareTlsRedis;
    let url: string;
    beforeAll(async () => {
      server = await SpareTlsRedis.start(certificate);
      url = `rediss://127.0.0.1:${server.port}`;
    });
    afterAll(() => server?.stop());

    it('connects the app client over TLS', async () => {
      const client = redisClientsFor({ REDIS_URL: url, REDIS_TLS_CA_FILE: certificate.certFile }).create('t', {});
      try {
        await ready(client);
        expect(await client.ping()).toBe('PONG');
      } finally {
        client.disconnect();
      }
    });

    it('refuses a server certificate the CA does not vouch for (no CA file: Node defaults)', async () => {
      const client = redisClientsFor({ REDIS_URL: url }).create('t', { retryStrategy: () => null });
      try {
        await expect(ready(client)).rejects.toThrow(/self[- ]signed|certificate/i);
      } finally {
        client.disconnect();
      }
    });

    it('runs Bull jobs over TLS, where Bull given the URL itself would drop it', async () => {
      // Bull's own URL parsing keeps host and port, not rediss://: its client speaks plain TCP to a TLS port.
      const bare = new Bull(aPrefix(), url);
      bare.on('error', () => undefined);
      expect(bare.client.options.tls).toBeUndefined();
      await bare.close().catch(() => undefined);
      for (const client of bare.clients) client.disconnect();

      const queue = new BullJobQueue(
        redisClientsFor({ REDIS_URL: url, REDIS_TLS_CA_FILE: certificate.certFile }),
        aPrefix(),
      );
      try {
        const ran: number[] = [];
        queue.process<{ n: number }>('over-tls', async ({ data }) => void ran.push(data.n));
        await queue.add('over-tls', { n: 1 });
        await waitFor(() => ran.length === 1, 10_000);
      } finally {
        await queue.onApplicationShutdown();
      }
    });
  });

  it('reaches a Sentinel-managed master with TLS to the sentinels and to the master (REDIS_TLS=true)', async () => {
    const set = await SpareSentinelSet.start({
      password: 'tls-data',
      sentinelPassword: 'tls-sentinel',
      tls: certificate,
    });
    const client = redisClientsFor(set.environment as Record<string, string>).create('t', {});
    try {
      await ready(client);
      await client.set('ck:tls-probe', 'over tls');
      const master = set.dataClient(await set.masterPort());
      expect(await master.get('ck:tls-probe')).toBe('over tls');
      master.disconnect();
    } finally {
      client.disconnect();
      await set.stop();
    }
  }, 30_000);

  it('reaches every master of a Cluster over TLS (REDIS_TLS=true)', async () => {
    const cluster = await SpareRedisCluster.start({ password: 'tls-cluster', tls: certificate });
    const client = redisClientsFor(cluster.environment as Record<string, string>).create('t', {});
    try {
      await ready(client);
      const keys = Array.from({ length: 30 }, (_, i) => `ck:tls-probe:${i}`);
      await Promise.all(keys.map((key) => client.set(key, key)));
      const found = await cluster.keys('ck:tls-probe:*');
      expect(found).toHaveLength(30);
      expect(new Set(found.map(({ port }) => port)).size).toBe(3);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
  }, 30_000);
});
