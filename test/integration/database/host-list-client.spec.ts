import { primaryClient } from '../../../src/infrastructure/database/primary-client';
import { startStreamingPair, StreamingPair } from '../../support/postgres-replication';
import { freePort } from '../../support/spare-services';

describe('a host list, followed to its read-write server (a private primary and standby)', () => {
  let pair: StreamingPair;
  beforeAll(async () => {
    pair = await startStreamingPair();
  }, 60_000);
  afterAll(() => pair?.destroy());

  const serverOf = async (url: string) => {
    const client = primaryClient(url, { connectionTimeoutMillis: 3_000 });
    await client.connect();
    try {
      const { rows } = await client.query<{ port: number; standby: boolean }>(
        `SELECT current_setting('port')::int AS port, pg_is_in_recovery() AS standby`,
      );
      return rows[0];
    } finally {
      await client.end();
    }
  };

  it('passes over a standby listed first', async () => {
    const url = `postgres://postgres@127.0.0.1:${pair.standby.port},127.0.0.1:${pair.primary.port}/postgres`;
    expect(await serverOf(url)).toEqual({ port: pair.primary.port, standby: false });
  });

  it('passes over a host that refuses connections', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()},127.0.0.1:${pair.primary.port}/postgres`;
    expect(await serverOf(url)).toEqual({ port: pair.primary.port, standby: false });
  });

  it('fails within the connection timeout when no host is read-write', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()},127.0.0.1:${pair.standby.port}/postgres`;
    const started = Date.now();
    await expect(serverOf(url)).rejects.toThrow(/no read-write PostgreSQL among 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+/);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('connects to a single host as node-postgres does', async () => {
    expect(await serverOf(pair.standby.url)).toEqual({ port: pair.standby.port, standby: true });
  });
});
