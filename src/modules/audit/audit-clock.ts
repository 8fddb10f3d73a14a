import { Injectable } from '@nestjs/common';

/** Time source of the audit trail; a class so tests can move it (retention, partitions). */
@Injectable()
export class AuditClock {
  now(): Date {
    return new Date();
  }
}
