import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.js';
import { type AuthenticatedUser, Public, Roles } from '../../common/auth/roles.js';
import { CurrentRequest, type RequestMeta } from '../../common/request-meta.js';
import { LoginRequest, LoginResponse, RevokedCount, SessionView } from './dto/session.dto.js';
import { LoginService } from './login.service.js';
import { LoginThrottle } from './throttling.js';
import { SessionsService } from './sessions.service.js';
import type { Session } from './session.js';
import { CurrentSession } from './current-session.js';

@ApiTags('auth')
@ApiBearerAuth()
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
  @ApiOperation({ summary: 'Log in with email and password; returns a bearer token once' })
  async logIn(
    @Body() body: LoginRequest,
    @CurrentRequest() request: RequestMeta,
    @Headers('accept-language') acceptLanguage?: string,
  ): Promise<LoginResponse> {
    const { token, session } = await this.login.login(body.email, body.password, request, acceptLanguage);
    return { token, session: SessionView.of(session) };
  }

  @Get('auth/session')
  @ApiOperation({ summary: 'The session behind this token' })
  current(@CurrentSession() session: Session): SessionView {
    return SessionView.of(session);
  }

  @Get('auth/sessions')
  @ApiOperation({ summary: 'My live sessions' })
  async mine(@CurrentUser() caller: AuthenticatedUser): Promise<SessionView[]> {
    return (await this.sessions.listMine(caller.id)).map(SessionView.of);
  }

  @Delete('auth/sessions/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke one of my sessions (admins: any session)' })
  async revoke(@CurrentUser() caller: AuthenticatedUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.sessions.revoke(caller, id);
  }

  @Post('auth/logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke this session' })
  async logout(@CurrentUser() caller: AuthenticatedUser): Promise<void> {
    await this.sessions.revoke(caller, caller.sessionId);
  }

  @Post('auth/logout-all')
  @ApiOperation({ summary: 'Revoke every session of mine, this one included' })
  async logoutAll(@CurrentUser() caller: AuthenticatedUser): Promise<RevokedCount> {
    return { revoked: await this.sessions.revokeAll(caller.id) };
  }

  @Post('admin/users/:id/sessions/revoke')
  @Roles('admin')
  @ApiOperation({ summary: 'Revoke every session of a user (admin)' })
  async revokeUser(@Param('id', ParseUUIDPipe) id: string): Promise<RevokedCount> {
    return { revoked: await this.sessions.revokeAll(id) };
  }
}
