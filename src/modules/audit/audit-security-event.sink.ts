import { Injectable, Logger } from '@nestjs/common';
import { LoggingSecurityEventSink, SecurityEvent, SecurityEventSink } from '../../common/security-events.js';
import { AuditService } from './audit.service.js';

/**
 * Security events become audit events with their severity, recorded outside the request's
 * transaction so a failed request still leaves them. If the trail cannot be written (database
 * down), the event still goes to the log.
 */
@Injectable()
export class AuditSecurityEventSink implements SecurityEventSink {
  private readonly logger = new Logger('SecurityEvents');
  private readonly fallback = new LoggingSecurityEventSink();

  constructor(private readonly audit: AuditService) {}

  async record(event: SecurityEvent): Promise<void> {
    try {
      await this.audit.recordDetached({
        action: event.action,
        severity: event.severity,
        outcome: event.outcome,
        actorId: event.actorId,
        resourceType: event.resourceType,
        resourceId: event.resourceId,
        request: event.request,
        details: event.details,
      });
    } catch (error) {
      this.logger.error(`audit trail unavailable for security event: ${(error as Error).message}`);
      await this.fallback.record(event);
    }
  }
}
