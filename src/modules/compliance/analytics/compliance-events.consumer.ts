import { Injectable, OnModuleInit } from '@nestjs/common';
import { OutboxConsumer, OutboxConsumerRegistry, OutboxEvent } from '../../../infrastructure/outbox/outbox-consumer.js';
import { RECORD_CREATED, RECORD_UPDATED, RecordEventPayload } from '../records/record-events.js';
import { ComplianceEventsRepository } from './compliance-events.repository.js';

/** Turns record changes into `compliance_events` rows, idempotently. */
@Injectable()
export class ComplianceEventsRecorder implements OutboxConsumer, OnModuleInit {
  readonly name = 'compliance-events';
  readonly types = [RECORD_CREATED, RECORD_UPDATED];

  constructor(
    private readonly events: ComplianceEventsRepository,
    private readonly registry: OutboxConsumerRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async handle(events: OutboxEvent[]): Promise<void> {
    const changes = events
      .filter((event) => (event.payload as RecordEventPayload).assessmentChanged)
      .map((event) => {
        const { record } = event.payload as RecordEventPayload;
        return {
          sourceEventId: event.id,
          recordId: event.aggregateId,
          framework: record.framework,
          status: record.status,
          score: record.score,
          occurredAt: record.assessedAt,
        };
      });
    await this.events.record(changes);
  }
}
