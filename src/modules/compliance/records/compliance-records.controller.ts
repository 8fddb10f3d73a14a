import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../../../common/auth/roles.js';
import { ProblemException } from '../../../common/problem.js';
import { AuditAction } from '../../audit/audit-scope.js';
import { ComplianceRecordsService } from './compliance-records.service.js';
import { RECORDS_ROUTE } from './compliance-records.routes.js';
import { BulkRecordsDto, BulkRecordsResponse } from './dto/bulk-records.dto.js';
import { BulkRecordsPipe } from './dto/bulk-records.validator.js';
import { CreateRecordDto } from './dto/create-record.dto.js';
import { ListRecordsQuery } from './dto/list-records.query.js';
import { RecordPage, RecordResponse } from './dto/record.response.js';
import { UpdateRecordDto } from './dto/update-record.dto.js';

const uuid = new ParseUUIDPipe({
  exceptionFactory: () => new ProblemException(404, 'not-found', 'No compliance record with this id.'),
});

/** `If-Match: "3"` (or W/"3") → 3; anything else is a 400. */
function versionFrom(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(ifMatch.trim());
  if (!match) throw new ProblemException(400, 'validation', 'If-Match must be the record version, e.g. "3".');
  return Number(match[1]);
}

@ApiTags('compliance records')
@ApiBearerAuth()
@Controller(RECORDS_ROUTE)
export class ComplianceRecordsController {
  constructor(private readonly records: ComplianceRecordsService) {}

  @Post()
  @AuditAction('compliance.record.created')
  @Roles('analyst')
  @ApiOperation({ summary: 'Create a record' })
  async create(
    @Body() body: CreateRecordDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RecordResponse> {
    const record = await this.records.create(body);
    void reply.header('etag', `"${record.version}"`).header('location', `/${RECORDS_ROUTE}/${record.id}`);
    return record;
  }

  @Post('bulk')
  @AuditAction('compliance.record.bulk-created')
  @Roles('analyst')
  @ApiOperation({ summary: 'Create up to 10,000 records in one transaction (all or nothing)' })
  @ApiBody({ type: BulkRecordsDto })
  // The parameter's type is an array, which the global ValidationPipe leaves alone: BulkRecordsPipe validates.
  createMany(@Body(BulkRecordsPipe) records: CreateRecordDto[]): Promise<BulkRecordsResponse> {
    return this.records.createMany(records);
  }

  @Get()
  @Roles('analyst', 'auditor')
  @ApiOperation({ summary: 'List records with filters, sorting and cursor pagination' })
  @ApiOkResponse({ type: RecordPage })
  list(@Query() query: ListRecordsQuery): Promise<RecordPage> {
    return this.records.list(query);
  }

  @Get(':id')
  @Roles('analyst', 'auditor')
  @ApiOperation({ summary: 'Read one record (cached)' })
  async get(@Param('id', uuid) id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<RecordResponse> {
    const record = await this.records.get(id);
    void reply.header('etag', `"${record.version}"`);
    return record;
  }

  @Patch(':id')
  @AuditAction('compliance.record.updated')
  @Roles('analyst')
  @ApiOperation({ summary: 'Update a record; needs If-Match (or body.version); 409 if it changed meanwhile' })
  @ApiHeader({ name: 'If-Match', required: false, example: '"3"' })
  async update(
    @Param('id', uuid) id: string,
    @Body() body: UpdateRecordDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RecordResponse> {
    const expected = versionFrom(ifMatch) ?? body.version;
    if (expected === undefined) {
      throw new ProblemException(
        428,
        'precondition-required',
        'Send If-Match with the record version (or body.version).',
      );
    }
    const record = await this.records.update(id, expected, body);
    void reply.header('etag', `"${record.version}"`);
    return record;
  }

  @Delete(':id')
  @AuditAction('compliance.record.deleted')
  @Roles('analyst')
  @HttpCode(204)
  @ApiOperation({ summary: 'Soft-delete a record; If-Match optional' })
  @ApiHeader({ name: 'If-Match', required: false, example: '"3"' })
  remove(@Param('id', uuid) id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    return this.records.remove(id, versionFrom(ifMatch));
  }
}
