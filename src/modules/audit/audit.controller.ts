import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../../common/auth/roles.js';
import { CurrentRequest, type RequestMeta } from '../../common/request-meta.js';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../common/security-events.js';
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
  ) {}

  @Get('events')
  @ApiOkResponse({ type: AuditEventPageDto })
  list(@Query() query: ListAuditEventsQuery): Promise<AuditEventPageDto> {
    const { cursor, limit, actor, ...filter } = query;
    return this.reader.list({ ...filter, actorId: actor }, limit, cursor);
  }

  @Get('events/export')
  @ApiProduces(CONTENT_TYPES.ndjson, CONTENT_TYPES.csv)
  export(@Query() query: ExportAuditEventsQuery, @Res() reply: FastifyReply): FastifyReply {
    const stream = this.reader.export({ from: query.from, to: query.to }, query.format);
    return reply
      .header('content-type', CONTENT_TYPES[query.format])
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="audit-events.${query.format}"`)
      .send(stream);
  }

  @Get('verify')
  @ApiOkResponse({ type: VerifyReportDto })
  async verify(@Query() query: TimeRangeQuery, @CurrentRequest() meta: RequestMeta): Promise<VerifyReportDto> {
    const report = VerifyReportDto.from(await this.verifier.verify(query));
    if (!report.ok) {
      await this.securityEvents.record({
        action: 'audit.verify.failed',
        severity: 'critical',
        request: meta,
        details: { firstBroken: report.firstBroken, range: query },
      });
    }
    return report;
  }
}
