import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { OutboxConsumerRegistry } from './outbox-consumer.js';
import { OUTBOX_BACKLOG_METRIC, OUTBOX_DEAD_METRIC, OUTBOX_OLDEST_AGE_METRIC, OutboxGauges } from './outbox-gauges.js';
import { OutboxHealthIndicator } from './outbox.health.js';
import { OutboxRelay } from './outbox-relay.js';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxWriter } from './outbox-writer.js';

/** Transactional outbox: writers append in the request transaction, the relay feeds registered consumers. */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    OutboxConsumerRegistry,
    OutboxWriter,
    OutboxRepository,
    OutboxRelay,
    OutboxGauges,
    OutboxHealthIndicator,
    makeGaugeProvider({
      name: OUTBOX_BACKLOG_METRIC,
      help: 'Outbox deliveries not yet made, per consumer',
      labelNames: ['consumer'],
    }),
    makeGaugeProvider({
      name: OUTBOX_OLDEST_AGE_METRIC,
      help: 'Age in seconds of the oldest pending outbox delivery, per consumer',
      labelNames: ['consumer'],
    }),
    makeGaugeProvider({
      name: OUTBOX_DEAD_METRIC,
      help: 'Outbox deliveries dead-lettered after too many failures, per consumer',
      labelNames: ['consumer'],
    }),
  ],
  exports: [OutboxConsumerRegistry, OutboxWriter, OutboxRelay, OutboxHealthIndicator],
})
export class OutboxModule {}
