import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { RunningPostgres, startEmbeddedPostgres } from './embedded-postgres.js';

/**
 * Resolves the database to connect to: DATABASE_URL when set, otherwise an embedded cluster
 * that this class owns and stops after the connection pool has been closed.
 */
@Injectable()
export class DatabaseLocator implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseLocator.name);
  private embedded?: RunningPostgres;
  private resolvedUrl?: string;

  constructor(
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  get isEmbedded(): boolean {
    return this.embedded !== undefined;
  }

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

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    // Close the pool first so the server does not log a burst of terminated connections.
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.embedded.stop();
    this.embedded = undefined;
    this.logger.log('embedded PostgreSQL stopped');
  }
}
