import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser } from '../../common/auth/current-user.js';
import { type AuthenticatedUser, Roles } from '../../common/auth/roles.js';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import { CurrentRequest, type RequestMeta } from '../../common/request-meta.js';
import { uuidParam } from '../../common/uuid-param.js';
import { RecordsOwnAudit } from '../audit/audit-scope.js';
import { EraseSubjectRequest, ErasureView, SubjectExportView } from './dto/subject.dto.js';
import { SubjectErasureService } from './subject-erasure.service.js';
import { SubjectExportService } from './subject-export.service.js';

const subjectId = uuidParam('No such data subject.');

/** Data-subject rights: erasure (crypto-shredding) and access/portability. A subject is a user. */
@ApiTags('subjects')
@Controller('subjects')
export class SubjectsController {
  constructor(
    private readonly erasure: SubjectErasureService,
    private readonly exports: SubjectExportService,
  ) {}

  @Post(':id/erasure')
  @HttpCode(200)
  @Roles('admin')
  @RecordsOwnAudit()
  @ApiOperation({
    operationId: 'eraseSubject',
    summary: "Erase a data subject's personal data",
    description:
      "Destroys the subject's key (every value sealed under it becomes unreadable, backups included), " +
      'ends their sessions and removes derived copies; records `subject.erased` without personal data. ' +
      'Idempotent: erasing again answers `erasedNow: false`.',
  })
  @ApiOkResponse({ type: ErasureView })
  @ApiProblem(404, 'No such user', 'not-found')
  @ApiProblem(409, 'The subject is the last active admin', 'last-admin')
  async erase(
    @Param('id', subjectId) id: string,
    @Body() body: EraseSubjectRequest,
    @CurrentUser() actor: AuthenticatedUser,
    @CurrentRequest() request: RequestMeta,
  ): Promise<ErasureView> {
    return this.erasure.erase(id, body.reason, actor, request);
  }

  @Get(':id/export')
  @ApiOperation({
    operationId: 'exportSubject',
    summary: 'Everything held about a data subject',
    description:
      'One JSON document, streamed: profile, sessions, audit events they are actor or resource of, and the records ' +
      'the trail names them on. For an admin or the user themself; audited as `subject.exported`. Erased fields read `[erased]`.',
  })
  @ApiOkResponse({ type: SubjectExportView })
  @ApiProblem(403, 'Neither an admin nor the subject', 'forbidden')
  @ApiProblem(404, 'No such user', 'not-found')
  async export(
    @Param('id', subjectId) id: string,
    @CurrentUser() viewer: AuthenticatedUser,
    @CurrentRequest() request: RequestMeta,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const document = await this.exports.export(id, viewer, request);
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="subject-${id}.json"`)
      .send(document);
  }
}
