import { Logger } from '@nestjs/common';
import type { Client } from 'pg';
import type { SessionTarget } from '../../../infrastructure/database/database-locator.js';
import { primaryClient } from '../../../infrastructure/database/primary-client.js';

/** The channel the revoking statement notifies, with the revoked token hashes comma-separated. */
export const REVOCATION_CHANNEL = 'ck_session_revoked';
const RETRY_MS = 1_000;

/**
 * A dedicated Postgres connection that LISTENs for revoked sessions: to Postgres itself, never
 * through a transaction-pooling PgBouncer, where LISTEN would hold on a server connection that
 * serves other clients' transactions and deliver nothing. Postgres delivers a NOTIFY
 * once the revoking statement commits, to every replica listening. `listening` is true only while
 * the subscription is live; every (re)subscription and every loss calls `onReset`, because
 * notifications sent while no one listened are gone.
 */
export class SessionRevocationListener {
  private readonly logger = new Logger('SessionRevocations');
  private client?: Client;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  listening = false;

  constructor(
    private readonly target: SessionTarget,
    private readonly onRevoked: (tokenHashes: string[]) => void,
    private readonly onReset: () => void,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { url, ssl } = this.target;
    const client = primaryClient(url, { application_name: 'compliance-kit-revocations', ssl });
    client.on('notification', (message) => {
      if (message.channel === REVOCATION_CHANNEL && message.payload) this.onRevoked(message.payload.split(','));
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
      if (this.client !== client) return;
      this.onReset();
      this.listening = true;
      this.logger.log('listening for revoked sessions');
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private lost(client: Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (this.listening)
      this.logger.warn(`stopped listening for revoked sessions: ${error?.message ?? 'connection ended'}`);
    this.listening = false;
    this.onReset();
    client.removeAllListeners();
    client.on('error', () => undefined);
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.connect(), RETRY_MS);
    this.timer.unref();
  }
}
