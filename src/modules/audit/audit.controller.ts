import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import type { FastifyReply } from 'fastify';
import { CurrentUser } from '../../common/auth/current-user.js';
import { type AuthenticatedUser, Roles } from '../../common/auth/roles.js';
import { CurrentRequest, type RequestMeta } from '../../common/request-meta.js';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../common/security-events.js';
import { countingRows } from '../security-signals/rows-read.js';
import { SecuritySignals } from '../security-signals/security-signals.service.js';
import { AuditReader } from './audit-reader.js';
import { AuditVerifier } from './audit-verifier.js';
import { AuditEventPageDto } from './dto/audit-event.dto.js';
import { ExportAuditEventsQuery, ListAuditEventsQuery, TimeRangeQuery } from './dto/audit-query.dto.js';
import { VerifyReportDto } from './dto/verify-report.dto.js';

const CONTENT_TYPES = { ndjson: 'application/x-ndjson', csv: 'text/csv; charset=utf-8' };

@ApiTags('audit')
@Roles('auditor')
@Controller('audit')
export class AuditController {
  constructor(
    private readonly reader: AuditReader,
    private readonly verifier: AuditVerifier,
    @Inject(SECURITY_EVENTS) private readonly securityEvents: SecurityEventSink,
    private readonly signals: SecuritySignals,
  ) {}

  @Get('events')
  @ApiOperation({
    operationId: 'listAuditEvents',
    summary: 'Query the audit trail',
    description: 'Newest first, filtered by time range, actor, action, resource and severity; cursor pagination.',
  })
  @ApiOkResponse({ type: AuditEventPageDto })
  @ApiProblem(
    400,
    'A filter failed validation, or the cursor is not one this API issued',
    'validation',
    'invalid-cursor',
  )
  list(@Query() query: ListAuditEventsQuery): Promise<AuditEventPageDto> {
    const { cursor, limit, actor, ...filter } = query;
    return this.reader.list({ ...filter, actorId: actor }, limit, cursor);
  }

  @Get('events/export')
  @ApiOperation({
    operationId: 'exportAuditEvents',
    summary: 'Export the audit trail',
    description: 'Streams every event in the range, oldest first, as NDJSON (one event per line) or CSV.',
  })
  @ApiProduces(CONTENT_TYPES.ndjson, CONTENT_TYPES.csv)
  @ApiOkResponse({
    description: 'The events, streamed; served with content-disposition: attachment',
    content: {
      [CONTENT_TYPES.ndjson]: {
        schema: { type: 'string', description: 'One AuditEvent object as JSON per line' },
        example: '{"id":"5f0c2f8e-1d7a-4c39-9a51-3c1f6f0e2b11","action":"auth.login.succeeded"}\n',
      },
      'text/csv': {
        schema: { type: 'string', description: 'A header row, then one row per event' },
        example:
          'id,occurredAt,actorId,action\n5f0c2f8e-1d7a-4c39-9a51-3c1f6f0e2b11,2026-11-24T10:15:00.000Z,system,auth.login.succeeded\n',
      },
    },
  })
  export(
    @Query() query: ExportAuditEventsQuery,
    @CurrentUser() user: AuthenticatedUser,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    const events = this.reader.export({ from: query.from, to: query.to }, query.format);
    // Rows sent count towards the mass-export signal once the stream is over (a CSV's header is no row).
    const stream = countingRows(events, query.format === 'csv' ? 1 : 0, (rows) => {
      void this.signals.observe({ kind: 'rows-read', actorId: user.id, source: 'audit-export', rows });
    });
    return reply
      .header('content-type', CONTENT_TYPES[query.format])
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="audit-events.${query.format}"`)
      .send(stream);
  }

  @Get('verify')
  @ApiOperation({
    operationId: 'verifyAuditTrail',
    summary: 'Verify the hash chains',
    description:
      'Recomputes every hash in the range and checks it against the signed checkpoints; a failed ' +
      'verification is itself recorded as a critical security event.',
  })
  @ApiOkResponse({ type: VerifyReportDto })
  async verify(@Query() query: TimeRangeQuery, @CurrentRequest() meta: RequestMeta): Promise<VerifyReportDto> {
    const report = VerifyReportDto.from(await this.verifier.verify(query));
    if (!report.ok) {
      await this.securityEvents.record({
        action: 'audit.verify.failed',
        severity: 'critical',
        outcome: 'failure',
        request: meta,
        details: { firstBroken: report.firstBroken, range: query },
      });
    }
    return report;
  }
}
