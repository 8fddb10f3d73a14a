import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser } from '../../../common/auth/current-user.js';
import { type AuthenticatedUser, Roles } from '../../../common/auth/roles.js';
import { ApiProblem } from '../../../common/openapi/api-problem.decorator.js';
import { ProblemException } from '../../../common/problem.js';
import { uuidParam } from '../../../common/uuid-param.js';
import { AuditAction } from '../../audit/audit-scope.js';
import { SecuritySignals } from '../../security-signals/security-signals.service.js';
import { ComplianceRecordsService } from './compliance-records.service.js';
import { RECORDS_ROUTE } from './compliance-records.routes.js';
import { BulkRecordsDto, BulkRecordsResponse } from './dto/bulk-records.dto.js';
import { BulkRecordsPipe, type RecordBatch } from './dto/bulk-records.batch.js';
import { CreateRecordDto } from './dto/create-record.dto.js';
import { ListRecordsQuery } from './dto/list-records.query.js';
import { RecordPage, RecordResponse } from './dto/record.response.js';
import { UpdateRecordDto } from './dto/update-record.dto.js';

const uuid = uuidParam('No compliance record with this id.');
const ETAG = { ETag: { description: 'The record version, for If-Match', schema: { type: 'string', example: '"1"' } } };
const IF_MATCH = { name: 'If-Match', required: false, description: 'The record version, e.g. "3"', example: '"3"' };

/** `If-Match: "3"` (or W/"3") → 3; anything else is a 400. */
function versionFrom(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(ifMatch.trim());
  if (!match) throw new ProblemException(400, 'validation', 'If-Match must be the record version, e.g. "3".');
  return Number(match[1]);
}

@ApiTags('compliance records')
@Controller(RECORDS_ROUTE)
export class ComplianceRecordsController {
  constructor(
    private readonly records: ComplianceRecordsService,
    private readonly signals: SecuritySignals,
  ) {}

  @Post()
  @AuditAction('compliance.record.created')
  @Roles('analyst')
  @ApiOperation({
    operationId: 'createRecord',
    summary: 'Create a record',
    description: 'Evidence notes are encrypted at rest and never indexed for search.',
  })
  @ApiCreatedResponse({
    type: RecordResponse,
    headers: { ...ETAG, Location: { description: 'The new record', schema: { type: 'string' } } },
  })
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
  @ApiOperation({
    operationId: 'createRecords',
    summary: 'Create up to 10,000 records at once',
    description: 'One transaction: every record is created, or none (400 names each bad field).',
  })
  @ApiBody({ type: BulkRecordsDto })
  @ApiCreatedResponse({ type: BulkRecordsResponse })
  // The global ValidationPipe leaves a parameter typed by an interface alone: BulkRecordsPipe checks
  // the envelope, and the service validates each chunk of records as it writes them.
  createMany(@Body(BulkRecordsPipe) records: RecordBatch): Promise<BulkRecordsResponse> {
    return this.records.createMany(records);
  }

  @Get()
  @Roles('analyst', 'auditor')
  @ApiOperation({
    operationId: 'listRecords',
    summary: 'List records',
    description: 'Filters, sorting and cursor pagination; deleted records are left out.',
  })
  @ApiOkResponse({ type: RecordPage })
  async list(@Query() query: ListRecordsQuery, @CurrentUser() user: AuthenticatedUser): Promise<RecordPage> {
    const page = await this.records.list(query);
    await this.signals.observe({
      kind: 'rows-read',
      actorId: user.id,
      source: 'compliance-records',
      rows: page.items.length,
    });
    return page;
  }

  @Get(':id')
  @Roles('analyst', 'auditor')
  @ApiOperation({
    operationId: 'getRecord',
    summary: 'Read one record',
    description: 'Served from the cache when warm.',
  })
  @ApiOkResponse({ type: RecordResponse, headers: ETAG })
  @ApiProblem(404, 'No compliance record with this id', 'not-found')
  @ApiProblem(422, 'The stored record cannot be decrypted (recorded as a security event)', 'record-unreadable')
  async get(@Param('id', uuid) id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { version, body } = await this.records.get(id);
    // The body is JSON already (a cache hit serves it as stored): Fastify sends a typed string as it is.
    void reply.header('etag', `"${version}"`).type('application/json; charset=utf-8');
    return body;
  }

  @Patch(':id')
  @AuditAction('compliance.record.updated')
  @Roles('analyst')
  @ApiOperation({
    operationId: 'updateRecord',
    summary: 'Update a record',
    description: 'Needs If-Match (or body.version) with the version read; 409 if it changed meanwhile.',
  })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: RecordResponse, headers: ETAG })
  @ApiProblem(400, 'The body or If-Match failed validation; `errors` names each field', 'validation', 'malformed-body')
  @ApiProblem(404, 'No compliance record with this id', 'not-found')
  @ApiProblem(409, 'The record was changed meanwhile; reload and retry', 'version-conflict')
  @ApiProblem(422, 'The stored record cannot be decrypted', 'record-unreadable')
  @ApiProblem(428, 'Send If-Match (or body.version)', 'precondition-required')
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
  @ApiOperation({
    operationId: 'deleteRecord',
    summary: 'Delete a record',
    description: 'A soft delete: the record leaves lists, search and analytics; its history stays. If-Match optional.',
  })
  @ApiHeader(IF_MATCH)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblem(400, 'If-Match is not a record version, or a body is malformed', 'validation', 'malformed-body')
  @ApiProblem(404, 'No compliance record with this id', 'not-found')
  @ApiProblem(409, 'If-Match names an outdated version', 'version-conflict')
  remove(@Param('id', uuid) id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    return this.records.remove(id, versionFrom(ifMatch));
  }
}
