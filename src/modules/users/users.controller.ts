import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.js';
import { type AuthenticatedUser, Roles } from '../../common/auth/roles.js';
import { ProblemException } from '../../common/problem.js';
import { CurrentRequest, type RequestMeta } from '../../common/request-meta.js';
import { AuditAction } from '../audit/audit-scope.js';
import { CreateUserRequest, ListUsersQuery, UpdateUserRequest, UserPage, UserView } from './dto/user.dto.js';
import { toUserView } from './user-view.mapper.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Roles('admin')
  @AuditAction('user.created')
  @ApiOperation({ summary: 'Create a user (admin)' })
  async create(@Body() body: CreateUserRequest, @CurrentUser() viewer?: AuthenticatedUser): Promise<UserView> {
    return toUserView(await this.users.create(body), viewer);
  }

  @Get()
  @ApiOperation({ summary: 'List users; PII is masked unless the caller is an admin' })
  list(
    @Query() query: ListUsersQuery,
    @CurrentUser() viewer?: AuthenticatedUser,
    @CurrentRequest() request?: RequestMeta,
  ): Promise<UserPage> {
    return this.users.list(query, viewer, request);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user; PII in clear for admins and the user themself' })
  get(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentUser() viewer?: AuthenticatedUser,
    @CurrentRequest() request?: RequestMeta,
  ): Promise<UserView> {
    return this.users.get(id, viewer, request);
  }

  @Patch(':id')
  @AuditAction('user.updated')
  @ApiOperation({ summary: 'Update a user (admin, or the user themself without role changes)' })
  async update(
    @Param('id', ParseUUIDPipe) id: string,
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
  @ApiOperation({ summary: 'Disable a user (admin)' })
  async disable(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() viewer?: AuthenticatedUser): Promise<UserView> {
    return toUserView(await this.users.setStatus(id, 'disabled'), viewer);
  }
}
