import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { getToken, makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { DatabaseLocator } from '../../infrastructure/database/database-locator.js';
import { AppConfig } from '../../config/app-config.js';
import { RedisConnection } from '../../infrastructure/redis/redis.connection.js';
import { ApiKeyAuthenticator } from '../api-keys/api-key-authenticator.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { CLOCK, type Clock, systemClock } from './clock.js';
import { DeviceBinding } from './device-binding.js';
import { DeviceFingerprints } from './device-fingerprint.js';
import { SessionMaintenanceJobs } from './jobs/session-maintenance.jobs.js';
import { LoginFailureRepository } from './login-failure.repository.js';
import { LoginService } from './login.service.js';
import { LocalThrottlerStorage } from './local-throttler.storage.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { RouteThrottlerGuard } from './route-throttler.guard.js';
import { SessionGuard } from './session.guard.js';
import { SessionRepository } from './session.repository.js';
import { SessionSealer } from './session-sealer.js';
import { SessionStoreIndicator } from './session-store.indicator.js';
import { SessionsService } from './sessions.service.js';
import { CircuitBreaker } from '../../common/circuit-breaker.js';
import { PostgresSessionStore } from './stores/postgres-session.store.js';
import { RedisSessionStore } from './stores/redis-session.store.js';
import { SessionReads } from './stores/session-reads.js';
import { SESSION_STORE } from './stores/session-store.js';
import { throttlerOptions } from './throttling.js';

const FALLBACKS_METRIC = 'session_store_fallbacks_total';
const DEGRADED_METRIC = 'session_store_degraded';

/**
 * Login, sessions and access control. The store is chosen once at boot: Redis primary with a
 * Postgres backup when Redis is configured, Postgres alone otherwise. Provides the guards every route gets
 * where they apply (rate limit first, then session + roles; see `createApp`).
 */
@Module({
  imports: [
    UsersModule,
    ApiKeysModule,
    TerminusModule,
    ThrottlerModule.forRootAsync({
      imports: [ApiKeysModule],
      inject: [AppConfig, RedisConnection, ApiKeyAuthenticator],
      useFactory: (config: AppConfig, redis: RedisConnection, apiKeys: ApiKeyAuthenticator) =>
        throttlerOptions(
          config.throttle,
          redis.client ? new RedisThrottlerStorage(redis.client, config.queuePrefix) : new LocalThrottlerStorage(),
          async (request) => {
            const check = await apiKeys.authenticate(request);
            return check?.ok ? check.principal.id : undefined;
          },
        ),
    }),
  ],
  controllers: [AuthController],
  providers: [
    { provide: CLOCK, useValue: systemClock },
    makeCounterProvider({
      name: FALLBACKS_METRIC,
      help: 'Session store operations answered by Postgres because Redis failed or the circuit was open',
      labelNames: ['operation'],
    }),
    makeGaugeProvider({
      name: DEGRADED_METRIC,
      help: '1 while sessions are served from Postgres because Redis is down',
    }),
    {
      provide: SessionReads,
      inject: [SessionRepository, AppConfig, CLOCK, DatabaseLocator],
      useFactory: async (sessions: SessionRepository, config: AppConfig, clock: Clock, locator: DatabaseLocator) => {
        const ttlMs = config.sessions.cacheTtlMs;
        const target = await locator.sessionTarget();
        return new SessionReads(sessions, clock, ttlMs ? { target, ttlMs } : undefined);
      },
    },
    {
      provide: SESSION_STORE,
      inject: [
        RedisConnection,
        SessionRepository,
        SessionReads,
        SessionSealer,
        AppConfig,
        CLOCK,
        getToken(FALLBACKS_METRIC),
        getToken(DEGRADED_METRIC),
      ],
      useFactory: (
        redis: RedisConnection,
        sessions: SessionRepository,
        reads: SessionReads,
        sealer: SessionSealer,
        config: AppConfig,
        clock: Clock,
        fallbacks: Counter<'operation'>,
        degraded: Gauge,
      ) => {
        if (!redis.client) return new PostgresSessionStore(sessions, reads);
        const { redisTimeoutMs, circuitCooldownMs, idleTimeoutSeconds, revocationSyncMs } = config.sessions;
        degraded.set(0);
        return new RedisSessionStore(
          redis.client,
          sessions,
          reads,
          sealer,
          new CircuitBreaker(circuitCooldownMs, systemClock),
          clock,
          {
            timeoutMs: redisTimeoutMs,
            idleSeconds: idleTimeoutSeconds,
            revocationSyncMs,
            namespace: config.queuePrefix,
            fallbacks,
            degraded,
          },
        );
      },
    },
    SessionRepository,
    SessionSealer,
    DeviceFingerprints,
    DeviceBinding,
    LoginFailureRepository,
    SessionsService,
    LoginService,
    SessionMaintenanceJobs,
    SessionStoreIndicator,
    RouteThrottlerGuard,
    SessionGuard,
  ],
  exports: [SessionsService, SessionStoreIndicator],
})
export class SessionsModule {}
