import { randomUUID } from 'node:crypto';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { validateEnvironment } from '../../src/config/environment';
import { buildDataSourceOptions } from '../../src/infrastructure/database/data-source-options';
import { TransactionContext } from '../../src/infrastructure/database/transaction-context';
import { OutboxConsumer, OutboxConsumerRegistry, OutboxEvent } from '../../src/infrastructure/outbox/outbox-consumer';
import { OutboxGauges } from '../../src/infrastructure/outbox/outbox-gauges';
import { OutboxRelay } from '../../src/infrastructure/outbox/outbox-relay';
import { OutboxRepository } from '../../src/infrastructure/outbox/outbox.repository';
import { OutboxWriter } from '../../src/infrastructure/outbox/outbox-writer';
import { InProcessJobQueue } from '../../src/infrastructure/queue/in-process-job-queue';
import { Tracing } from '../../src/infrastructure/tracing/tracing';
import { createTestDatabase, TestDatabase } from './database';

/** Real Postgres, real outbox classes, no HTTP: enough to stop and restart relays at will. */
export interface OutboxHarness {
  db: TestDatabase;
  dataSource: DataSource;
  transactions: TransactionContext;
  registry: OutboxConsumerRegistry;
  writer: OutboxWriter;
  /** A new relay, as a restarted process would build it (not started: call drain()). */
  relay(tracing?: Tracing): OutboxRelay;
  close(): Promise<void>;
}

export async function startOutboxHarness(environment: Record<string, string> = {}): Promise<OutboxHarness> {
  const db = await createTestDatabase();
  const config = new AppConfig(validateEnvironment({ DATABASE_URL: db.url, ...environment }));
  const dataSource = await new DataSource({ ...buildDataSourceOptions(config.database, db.url) }).initialize();
  const transactions = new TransactionContext(dataSource);
  const registry = new OutboxConsumerRegistry();
  const queue = new InProcessJobQueue();
  const repository = new OutboxRepository(transactions);
  const gauge = (name: string) => new Gauge({ name, help: name, labelNames: ['consumer'], registers: [] });
  const gauges = new OutboxGauges(repository, registry, gauge('backlog'), gauge('age'), gauge('dead'));
  return {
    db,
    dataSource,
    transactions,
    registry,
    writer: new OutboxWriter(transactions, registry, queue),
    relay: (tracing = Tracing.off) =>
      new OutboxRelay(config, transactions, repository, registry, gauges, queue, tracing),
    close: async () => {
      await queue.onApplicationShutdown();
      await dataSource.destroy();
      await db.drop();
    },
  };
}

/** A consumer that remembers what it saw; `fail` decides per event whether to throw after seeing it. */
export class RecordingConsumer implements OutboxConsumer {
  readonly calls: string[] = [];
  readonly effects = new Set<string>();
  fail: (event: OutboxEvent) => boolean = () => false;

  constructor(
    readonly name: string,
    readonly types: readonly string[] = ['record.created', 'record.updated'],
  ) {}

  async handle(events: OutboxEvent[]): Promise<void> {
    for (const event of events) {
      this.calls.push(event.id);
      this.effects.add(event.id);
      if (this.fail(event)) throw new Error(`consumer ${this.name} failed on purpose`);
    }
  }
}

export const anAggregate = () => randomUUID();
