import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.js';
import { type AuthenticatedUser, Roles } from '../../common/auth/roles.js';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import { ProblemException } from '../../common/problem.js';
import { CurrentRequest, type RequestMeta } from '../../common/request-meta.js';
import { uuidParam } from '../../common/uuid-param.js';
import { AuditAction } from '../audit/audit-scope.js';
import { CreateUserRequest, ListUsersQuery, UpdateUserRequest, UserPage, UserView } from './dto/user.dto.js';
import { toUserView } from './user-view.mapper.js';
import { UsersService } from './users.service.js';

const userId = uuidParam('No such user.');
const PII_RULE = 'PII is in clear for admins and the user themself, masked for everyone else.';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Roles('admin')
  @AuditAction('user.created')
  @ApiOperation({
    operationId: 'createUser',
    summary: 'Create a user',
    description: 'Email, phone, SSN, address and display name are encrypted at rest.',
  })
  @ApiCreatedResponse({ type: UserView })
  @ApiProblem(409, 'An active user already has this email', 'duplicate-email')
  async create(@Body() body: CreateUserRequest, @CurrentUser() viewer?: AuthenticatedUser): Promise<UserView> {
    return toUserView(await this.users.create(body), viewer);
  }

  @Get()
  @ApiOperation({ operationId: 'listUsers', summary: 'List users, a page at a time', description: PII_RULE })
  @ApiOkResponse({ type: UserPage })
  list(
    @Query() query: ListUsersQuery,
    @CurrentUser() viewer?: AuthenticatedUser,
    @CurrentRequest() request?: RequestMeta,
  ): Promise<UserPage> {
    return this.users.list(query, viewer, request);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getUser', summary: 'Read one user', description: PII_RULE })
  @ApiOkResponse({ type: UserView })
  @ApiProblem(404, 'No such user', 'not-found')
  @ApiProblem(410, "The user's personal data was erased (POST /subjects/{id}/erasure)", 'subject-erased')
  @ApiProblem(422, 'The stored user cannot be decrypted (recorded as a security event)', 'record-unreadable')
  get(
    @Param('id', userId) id: string,
    @CurrentUser() viewer?: AuthenticatedUser,
    @CurrentRequest() request?: RequestMeta,
  ): Promise<UserView> {
    return this.users.get(id, viewer, request);
  }

  @Patch(':id')
  @AuditAction('user.updated')
  @ApiOperation({
    operationId: 'updateUser',
    summary: 'Update a user',
    description: 'Admins update anyone; other callers only themselves, and only admins change roles.',
  })
  @ApiOkResponse({ type: UserView })
  @ApiProblem(403, 'Not your account, or a role change by a non-admin', 'forbidden')
  @ApiProblem(404, 'No such user', 'not-found')
  @ApiProblem(409, 'An active user already has this email', 'duplicate-email')
  @ApiProblem(410, "The user's personal data was erased", 'subject-erased')
  async update(
    @Param('id', userId) id: string,
    @Body() body: UpdateUserRequest,
    @CurrentUser() viewer?: AuthenticatedUser,
  ): Promise<UserView> {
    if (viewer && viewer.role !== 'admin' && viewer.id !== id) {
      throw new ProblemException(403, 'forbidden', 'You may only update your own account.');
    }
    return toUserView(await this.users.update(id, body, viewer), viewer);
  }

  @Post(':id/disable')
  @AuditAction('user.disabled')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    operationId: 'disableUser',
    summary: 'Disable a user',
    description: 'Ends every session of the user at once. Takes no body.',
  })
  @ApiOkResponse({ type: UserView })
  @ApiProblem(404, 'No such user', 'not-found')
  async disable(@Param('id', userId) id: string, @CurrentUser() viewer?: AuthenticatedUser): Promise<UserView> {
    return toUserView(await this.users.setStatus(id, 'disabled'), viewer);
  }
}
