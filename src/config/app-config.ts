import { resolve } from 'node:path';
import type { Environment } from './environment.js';

export interface DatabaseSettings {
  /** Unset means "start the embedded PostgreSQL". */
  url?: string;
  poolMax: number;
  idleTimeoutMs: number;
  connectionTimeoutMs: number;
  statementTimeoutMs: number;
  migrationsRun: boolean;
}

export interface HttpSettings {
  host: string;
  port: number;
  bodyLimitBytes: number;
  shutdownGraceMs: number;
  shutdownReadinessDelayMs: number;
}

/** Typed, read-only view of the validated environment, one accessor per area. */
export class AppConfig {
  constructor(private readonly env: Environment) {}

  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }

  get logLevel(): Environment['LOG_LEVEL'] {
    return this.env.LOG_LEVEL;
  }

  get dataDir(): string {
    return resolve(this.env.DATA_DIR);
  }

  get http(): HttpSettings {
    return {
      host: this.env.HOST,
      port: this.env.PORT,
      bodyLimitBytes: this.env.HTTP_BODY_LIMIT_BYTES,
      shutdownGraceMs: this.env.SHUTDOWN_GRACE_MS,
      shutdownReadinessDelayMs: this.env.SHUTDOWN_READINESS_DELAY_MS,
    };
  }

  get database(): DatabaseSettings {
    return {
      url: this.env.DATABASE_URL,
      poolMax: this.env.DATABASE_POOL_MAX,
      idleTimeoutMs: this.env.DATABASE_POOL_IDLE_TIMEOUT_MS,
      connectionTimeoutMs: this.env.DATABASE_CONNECTION_TIMEOUT_MS,
      statementTimeoutMs: this.env.DATABASE_STATEMENT_TIMEOUT_MS,
      migrationsRun: this.env.DATABASE_MIGRATIONS_RUN,
    };
  }

  get redisUrl(): string | undefined {
    return this.env.REDIS_URL;
  }

  get elasticsearchNode(): string | undefined {
    return this.env.ELASTICSEARCH_NODE;
  }

  get healthCheckTimeoutMs(): number {
    return this.env.HEALTH_CHECK_TIMEOUT_MS;
  }

  /** Postgres search ranks at most this many matches per query (0: every match, exact totals). */
  get searchRankCandidates(): number {
    return this.env.SEARCH_RANK_CANDIDATES;
  }
}
