import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { UsersService } from '../../../src/modules/users/users.service';
import { startTestApp, type TestApp } from '../../support/app';
import { aUser } from '../../support/builders/user.builder';
import { spareRedis, type SpareRedis } from '../../support/redis-server';
import { untilSignals } from './signals.fixture';

const BURST = 5;

describe('security signals when Redis dies', () => {
  let redisServer: SpareRedis;
  let t: TestApp;

  beforeAll(async () => {
    redisServer = await spareRedis();
    await redisServer.start();
    t = await startTestApp({
      REDIS_URL: redisServer.url,
      SESSION_REDIS_TIMEOUT_MS: '100',
      SESSION_CIRCUIT_COOLDOWN_MS: '1000',
      SIGNAL_AUTH_FAILURE_BURST: String(BURST),
    });
  });
  afterAll(async () => {
    await t.close();
    await redisServer.kill();
  });

  const inject = (url: string, ip: string, headers: Record<string, string> = {}, body?: object) =>
    (t.app.getHttpAdapter().getInstance() as FastifyInstance).inject({
      method: body ? 'POST' : 'GET',
      url,
      headers,
      payload: body,
      remoteAddress: ip,
    });

  it('counts in Redis while it is up, then in process: requests never fail and detectors still fire', async () => {
    const probe = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    for (let i = 0; i < 2; i++) expect((await inject('/auth/session', '198.51.100.30')).statusCode).toBe(401);
    const keys = await probe.keys(`${t.db.name}:signals:*`);
    probe.disconnect();
    expect(keys.some((key) => key.includes(':auth-failure-burst:ip:'))).toBe(true);

    const input = aUser();
    await t.app.get(UsersService).create(input);
    const device = { 'user-agent': 'curl/8.4.0', 'x-device-id': randomUUID() };
    const login = await inject('/auth/login', '198.51.100.1', device, { email: input.email, password: input.password });
    const auth = { ...device, authorization: `Bearer ${login.json().token}` };

    await redisServer.kill();
    try {
      for (let i = 0; i < BURST; i++) expect((await inject('/auth/session', '203.0.113.30')).statusCode).toBe(401);
      // the login's network was written to Redis (and mirrored in process) before it died
      expect((await inject('/auth/session', '198.51.100.1', auth)).statusCode).toBe(200);
      expect((await inject('/auth/session', '192.0.2.1', auth)).statusCode).toBe(200);

      const bursts = await untilSignals(t, 'auth-failure-burst', 1);
      expect(bursts.trail).toHaveLength(1);
      const switches = await untilSignals(t, 'network-switch', 1);
      expect(switches.trail).toHaveLength(1);
    } finally {
      // the app's queues wait for Redis when closing
      await redisServer.start();
    }
  });
});
