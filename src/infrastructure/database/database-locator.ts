import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { RunningPostgres, startEmbeddedPostgres } from './embedded-postgres.js';
import { pgSsl, type PgSsl } from './postgres-tls.js';

/** Where a connection of its own (outside the pools) goes, and with which TLS settings. */
export interface SessionTarget {
  url: string;
  ssl: PgSsl;
}

/**
 * Resolves the database to connect to: DATABASE_URL when set, otherwise the embedded cluster in
 * DATA_DIR, started here unless another process already runs it.
 */
@Injectable()
export class DatabaseLocator {
  private readonly logger = new Logger(DatabaseLocator.name);
  private embedded?: RunningPostgres;
  private resolvedUrl?: string;

  constructor(private readonly config: AppConfig) {}

  async url(): Promise<string> {
    if (this.resolvedUrl) return this.resolvedUrl;
    const configured = this.config.database.url;
    if (configured) {
      this.resolvedUrl = configured;
    } else {
      this.embedded = await startEmbeddedPostgres(this.config.dataDir);
      this.resolvedUrl = this.embedded.url;
    }
    return this.resolvedUrl;
  }

  /**
   * Where work that needs a session of its own connects (LISTEN): DATABASE_DIRECT_URL when
   * DATABASE_URL is a transaction-pooling PgBouncer, else the same database.
   */
  async sessionTarget(): Promise<SessionTarget> {
    const { directUrl, tls } = this.config.database;
    return { url: directUrl ?? (await this.url()), ssl: pgSsl(tls) };
  }

  /** Which database this process uses, in words for an operator; never the password. */
  describe(): string {
    if (this.embedded) {
      const { clusterDir, port, shared } = this.embedded;
      return shared
        ? `the embedded PostgreSQL already running from ${clusterDir} (127.0.0.1:${port})`
        : `the embedded PostgreSQL in ${clusterDir} (127.0.0.1:${port}, started by this process)`;
    }
    try {
      const { hostname, port, pathname } = new URL(this.resolvedUrl ?? '');
      return `database ${decodeURIComponent(pathname.slice(1))} on ${hostname}:${port || 5432} (DATABASE_URL)`;
    } catch {
      return 'the database in DATABASE_URL';
    }
  }

  /**
   * Stops the embedded cluster if this process started it. Called after `app.close()`, once every
   * pool has disconnected, so Postgres has no connection left to terminate under the app.
   */
  async release(): Promise<void> {
    if (!this.embedded || this.embedded.shared) return;
    await this.embedded.stop();
    this.logger.log('embedded PostgreSQL stopped');
  }
}
