import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.js';
import { type AuthenticatedUser, Public, Roles } from '../../common/auth/roles.js';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import { CurrentRequest, type RequestMeta } from '../../common/request-meta.js';
import { uuidParam } from '../../common/uuid-param.js';
import { LoginRequest, LoginResponse, RevokedCount, SessionView } from './dto/session.dto.js';
import { LoginService } from './login.service.js';
import { LoginThrottle } from './throttling.js';
import { SessionsService } from './sessions.service.js';
import type { Session } from './session.js';
import { CurrentSession } from './current-session.js';

const sessionId = uuidParam('No such session.');

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly login: LoginService,
    private readonly sessions: SessionsService,
  ) {}

  @Post('auth/login')
  @HttpCode(200)
  @Public()
  @LoginThrottle()
  @ApiOperation({
    operationId: 'logIn',
    summary: 'Log in with email and password',
    description:
      'Returns an opaque bearer token, shown once, and the new session. Repeated failures for one ' +
      'account or client lock logins for a while (423).',
  })
  @ApiHeader({ name: 'accept-language', required: false, description: 'Part of the device fingerprint' })
  @ApiOkResponse({ type: LoginResponse })
  @ApiProblem(401, 'The email or password is wrong', 'invalid-credentials')
  @ApiProblem(423, 'Too many failed logins; `retryAfterSeconds` says when to retry', 'account-locked')
  async logIn(
    @Body() body: LoginRequest,
    @CurrentRequest() request: RequestMeta,
    @Headers('accept-language') acceptLanguage?: string,
  ): Promise<LoginResponse> {
    const { token, session } = await this.login.login(body.email, body.password, request, acceptLanguage);
    return { token, session: SessionView.of(session) };
  }

  @Get('auth/session')
  @ApiOperation({
    operationId: 'getCurrentSession',
    summary: 'The session behind this token',
    description: 'Reading it does not extend the session.',
  })
  @ApiOkResponse({ type: SessionView })
  current(@CurrentSession() session: Session): SessionView {
    return SessionView.of(session);
  }

  @Get('auth/sessions')
  @ApiOperation({
    operationId: 'listMySessions',
    summary: 'My live sessions',
    description: 'Every unexpired, unrevoked session of the caller.',
  })
  @ApiOkResponse({ type: [SessionView] })
  async mine(@CurrentUser() caller: AuthenticatedUser): Promise<SessionView[]> {
    return (await this.sessions.listMine(caller.id)).map(SessionView.of);
  }

  @Delete('auth/sessions/:id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'revokeSession',
    summary: 'Revoke one session',
    description: 'Callers revoke their own sessions; admins any session. Effective at once on every replica.',
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblem(404, 'No such session (or not one of yours)', 'not-found')
  async revoke(@CurrentUser() caller: AuthenticatedUser, @Param('id', sessionId) id: string): Promise<void> {
    await this.sessions.revoke(caller, id);
  }

  @Post('auth/logout')
  @HttpCode(204)
  @ApiOperation({ operationId: 'logOut', summary: 'Revoke this session', description: 'Takes no body.' })
  @ApiNoContentResponse({ description: 'Logged out' })
  async logout(@CurrentUser() caller: AuthenticatedUser): Promise<void> {
    await this.sessions.revoke(caller, caller.sessionId);
  }

  @Post('auth/logout-all')
  @ApiOperation({
    operationId: 'logOutEverywhere',
    summary: 'Revoke every session of mine',
    description: 'This session included; returns how many were revoked. Takes no body.',
  })
  @ApiCreatedResponse({ type: RevokedCount, description: 'Revoked (201 for compatibility; nothing is created)' })
  async logoutAll(@CurrentUser() caller: AuthenticatedUser): Promise<RevokedCount> {
    return { revoked: await this.sessions.revokeAll(caller.id) };
  }

  @Post('admin/users/:id/sessions/revoke')
  @Roles('admin')
  @ApiOperation({
    operationId: 'revokeUserSessions',
    summary: 'Revoke every session of a user',
    description: 'Returns how many were revoked (0 for an unknown user). Takes no body.',
  })
  @ApiCreatedResponse({ type: RevokedCount, description: 'Revoked (201 for compatibility; nothing is created)' })
  async revokeUser(@Param('id', uuidParam('No such user.')) id: string): Promise<RevokedCount> {
    return { revoked: await this.sessions.revokeAll(id) };
  }
}
