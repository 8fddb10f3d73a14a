import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { activeTraceId } from '../../common/trace-context.js';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import type { AuditEventInput, ChainedEvent } from './audit-event.js';
import { SYSTEM_ACTOR } from './audit-event.js';
import { AUDIT_APPENDED_METRIC } from './audit-metrics.js';
import { AuditSealer } from './audit-sealer.js';
import { AuditScope } from './audit-scope.js';
import { AuditChain, EventDraft } from './chain/audit-chain.js';
import { AuditGroupCommit } from './chain/audit-group-commit.js';
import { CheckpointCadence } from './checkpoints/checkpoint-cadence.js';

/** The one way to write the audit trail. */
@Injectable()
export class AuditService {
  constructor(
    private readonly transactions: TransactionContext,
    private readonly chain: AuditChain,
    private readonly groupCommit: AuditGroupCommit,
    private readonly scope: AuditScope,
    @InjectMetric(AUDIT_APPENDED_METRIC) private readonly appended: Counter,
    private readonly cadence: CheckpointCadence,
    private readonly sealer: AuditSealer,
  ) {}

  /**
   * Records in the current transaction when there is one (the event commits or rolls back with the
   * change it describes); otherwise on its own. Inside a mutating request this replaces the row the
   * audit interceptor would have written.
   */
  async record(input: AuditEventInput): Promise<ChainedEvent> {
    const draft = await this.toDraft(input);
    if (!this.transactions.active) return this.groupCommit.append(draft);
    const [event] = await this.chain.append([draft]);
    await this.transactions.afterCommit(() => {
      this.appended.inc();
      this.cadence.committed(1);
    });
    this.scope.markRecorded();
    return event;
  }

  /** Records outside any transaction: the event stays even if the surrounding request fails. */
  async recordDetached(input: AuditEventInput): Promise<ChainedEvent> {
    return this.groupCommit.append(await this.toDraft(input));
  }

  /**
   * IP, user agent and sensitive details are sealed here, before the chain hashes what will be
   * stored. The trace id is the caller's (this runs before any group commit), hashed like the request id.
   * A user resource is a data subject: its sensitive details go under the subject's key; an acting
   * user is one too: their IP and user agent go under theirs.
   */
  private async toDraft(input: AuditEventInput): Promise<EventDraft> {
    const id = randomUUID();
    const traceId = activeTraceId();
    // Round-trip through JSON so the hashed value is exactly what jsonb stores and returns.
    const details = JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>;
    const request = { ip: input.request?.ip ?? null, userAgent: input.request?.userAgent ?? null };
    const subjectId = input.resourceType === 'user' ? (input.resourceId ?? undefined) : undefined;
    const sealed = await this.sealer.seal(id, request, details, input.sensitive, subjectId, actingUser(input));
    return {
      id,
      actorId: input.actorId ?? SYSTEM_ACTOR,
      action: input.action,
      resourceType: input.resourceType ?? null,
      resourceId: input.resourceId ?? null,
      outcome: input.outcome ?? 'success',
      severity: input.severity ?? 'info',
      requestId: input.request?.requestId ?? null,
      ...(traceId && { traceId }),
      ...sealed,
    };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The actor when it is a user: a uuid actor that is not an API key (the interceptor marks those
 * `actorKind: api-key`, the guard's refusals `credential: api-key`); never `system`/`anonymous`.
 */
function actingUser(input: AuditEventInput): string | undefined {
  const details = input.details ?? {};
  if (details.actorKind === 'api-key' || details.credential === 'api-key') return undefined;
  return input.actorId !== undefined && UUID.test(input.actorId) ? input.actorId : undefined;
}
