import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../../common/auth/roles.js';
import { ProblemException } from '../../common/problem.js';
import type { RequestMeta } from '../../common/request-meta.js';
import { AuditReader } from '../audit/audit-reader.js';
import { AuditService } from '../audit/audit.service.js';
import { SessionView } from '../sessions/dto/session.dto.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UsersService } from '../users/users.service.js';
import type { SubjectRecordReference, SubjectSessionView } from './dto/subject.dto.js';

/**
 * A data subject's copy of what is held about them (GDPR Art. 15 and 20), as one JSON document
 * streamed a batch of audit events at a time, so its size is bounded by the batch, not the trail.
 */
@Injectable()
export class SubjectExportService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly reader: AuditReader,
    private readonly audit: AuditService,
  ) {}

  /** The user themself or an admin (403 otherwise; 404 unknown); the access is audited before anything is sent. */
  async export(subjectId: string, viewer: AuthenticatedUser, request: RequestMeta): Promise<Readable> {
    if (viewer.role !== 'admin' && viewer.id !== subjectId) {
      throw new ProblemException(403, 'forbidden', 'Only the user themself or an admin may export their data.');
    }
    const { view, erased } = await this.users.profile(subjectId, viewer);
    const sessions: SubjectSessionView[] = (await this.sessions.listAll(subjectId)).map((session) => ({
      ...SessionView.of(session),
      revokedAt: session.revokedAt ? new Date(session.revokedAt).toISOString() : null,
    }));
    await this.audit.record({
      action: 'subject.exported',
      actorId: viewer.id,
      resourceType: 'user',
      resourceId: subjectId,
      request,
    });
    const head = { subjectId, exportedAt: new Date().toISOString(), erased, profile: view, sessions };
    return Readable.from(this.document(subjectId, head), { objectMode: false, highWaterMark: 1 });
  }

  private async *document(subjectId: string, head: Record<string, unknown>): AsyncGenerator<string> {
    yield `${JSON.stringify(head).slice(0, -1)},"auditEvents":[`;
    const records = new Map<string, SubjectRecordReference>();
    let first = true;
    for await (const batch of this.reader.involving(subjectId)) {
      for (const event of batch) {
        if (event.actorId === subjectId && event.resourceType && event.resourceType !== 'user' && event.resourceId) {
          const key = `${event.resourceType}\0${event.resourceId}`;
          const record = records.get(key) ?? {
            resourceType: event.resourceType,
            resourceId: event.resourceId,
            actions: [],
          };
          if (!record.actions.includes(event.action)) record.actions.push(event.action);
          records.set(key, record);
        }
      }
      yield `${first ? '' : ','}${batch.map((event) => JSON.stringify(event)).join(',')}`;
      first = false;
    }
    yield `],"records":${JSON.stringify([...records.values()])}}`;
  }
}
