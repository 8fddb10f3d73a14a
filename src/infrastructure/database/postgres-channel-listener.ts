import { Logger } from '@nestjs/common';
import type { Client } from 'pg';
import type { SessionTarget } from './database-locator.js';
import { primaryClient } from './primary-client.js';

const RETRY_MS = 1_000;

export interface ChannelSubscription {
  /** The channel to LISTEN on (a plain identifier). */
  channel: string;
  /** Names the logger and the connection's application_name; what is heard, in words for logs. */
  name: string;
  what: string;
  onNotification: (payload: string) => void;
  onReset: () => void;
}

/**
 * A dedicated Postgres connection that LISTENs on one channel: to Postgres itself, never through a
 * transaction-pooling PgBouncer, where LISTEN would hold on a server connection that serves other
 * clients' transactions and deliver nothing. Postgres delivers a NOTIFY once the notifying
 * statement commits, to every replica listening. `listening` is true only while the subscription
 * is live; every (re)subscription and every loss calls `onReset`, because notifications sent while
 * no one listened are gone.
 */
export class PostgresChannelListener {
  private readonly logger: Logger;
  private client?: Client;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  listening = false;

  constructor(
    private readonly target: SessionTarget,
    private readonly subscription: ChannelSubscription,
  ) {
    this.logger = new Logger(subscription.name);
  }

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
    const { channel, name, what } = this.subscription;
    const client = primaryClient(url, { application_name: `compliance-kit-${name}`, ssl });
    client.on('notification', (message) => {
      if (message.channel === channel && message.payload) this.subscription.onNotification(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      if (this.client !== client) return;
      this.subscription.onReset();
      this.listening = true;
      this.logger.log(`listening for ${what}`);
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private lost(client: Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (this.listening)
      this.logger.warn(`stopped listening for ${this.subscription.what}: ${error?.message ?? 'connection ended'}`);
    this.listening = false;
    this.subscription.onReset();
    client.removeAllListeners();
    client.on('error', () => undefined);
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.connect(), RETRY_MS);
    this.timer.unref();
  }
}
