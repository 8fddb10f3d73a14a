import { applyDecorators, Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.js';
import { type AuthenticatedUser, Public, Roles, SessionOnly } from '../../common/auth/roles.js';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import { CurrentRequest, type RequestMeta } from '../../common/request-meta.js';
import { uuidParam } from '../../common/uuid-param.js';
import { CurrentDevice, ReauthenticationRoute } from './device-binding.js';
import { DEVICE_ID_HEADER, type DeviceTraits } from './device-fingerprint.js';
import { LoginRequest, LoginResponse, ReauthenticateRequest, RevokedCount, SessionView } from './dto/session.dto.js';
import { LoginService } from './login.service.js';
import { LoginThrottle } from './throttling.js';
import { SessionsService } from './sessions.service.js';
import type { Session } from './session.js';
import { CurrentSession } from './current-session.js';
import type { AuthenticatedApiKey } from '../api-keys/api-key.js';
import { CurrentApiKey } from '../api-keys/current-api-key.js';
import { ApiKeyPrincipalView } from '../api-keys/dto/api-key.dto.js';

const sessionId = uuidParam('No such session.');

/** The headers the device fingerprint is made of (docs/security.md); later requests must send the same. */
const DeviceHeaders = () =>
  applyDecorators(
    ApiHeader({ name: 'user-agent', required: false, description: 'Device fingerprint: browser, major version, OS' }),
    ApiHeader({ name: 'accept-language', required: false, description: 'Device fingerprint: language tags' }),
    ApiHeader({ name: DEVICE_ID_HEADER, required: false, description: 'Device fingerprint: an id this install keeps' }),
  );

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
      'Returns an opaque bearer token, shown once, and the new session, bound to this device: a request ' +
      'with other device headers is refused. Repeated failures for one account or client lock logins ' +
      'for a while (423).',
  })
  @DeviceHeaders()
  @ApiOkResponse({ type: LoginResponse })
  @ApiProblem(401, 'The email or password is wrong', 'invalid-credentials')
  @ApiProblem(423, 'Too many failed logins; `retryAfterSeconds` says when to retry', 'account-locked')
  async logIn(
    @Body() body: LoginRequest,
    @CurrentRequest() request: RequestMeta,
    @CurrentDevice() device: DeviceTraits,
  ): Promise<LoginResponse> {
    const { token, session } = await this.login.login(body.email, body.password, request, device, body.deviceName);
    return { token, session: SessionView.of(session) };
  }

  @Post('auth/reauthenticate')
  @HttpCode(200)
  @SessionOnly()
  @ReauthenticationRoute()
  @LoginThrottle()
  @ApiOperation({
    operationId: 'reauthenticate',
    summary: 'Prove the password again for this session',
    description:
      'The one route a session waiting for re-authentication (`/problems/reauthentication-required`) may ' +
      'call. On success the session is bound to the device headers of this request (`User-Agent`, ' +
      '`Accept-Language`, `X-Device-Id`, as at login) and usable again. Failures count towards the same ' +
      'lockout as logins.',
  })
  @ApiOkResponse({ type: SessionView })
  @ApiProblem(
    401,
    'No, unknown, revoked or expired bearer token; the password is wrong; or (reject mode) another device',
    'unauthenticated',
    'invalid-credentials',
    'session-device-mismatch',
  )
  @ApiProblem(423, 'Too many failed attempts; `retryAfterSeconds` says when to retry', 'account-locked')
  async reauthenticate(
    @CurrentSession() session: Session,
    @Body() body: ReauthenticateRequest,
    @CurrentRequest() request: RequestMeta,
    @CurrentDevice() device: DeviceTraits,
  ): Promise<SessionView> {
    return SessionView.of(await this.login.reauthenticate(session, body.password, request, device));
  }

  @Get('auth/session')
  @ApiOperation({
    operationId: 'getCurrentSession',
    summary: 'The session behind this token, or the API key',
    description:
      'Reading it does not extend the session. Called with an API key, it answers the key ' +
      '(`kind: api-key`): which key, which of its secrets, and until when that secret works.',
  })
  @ApiExtraModels(SessionView, ApiKeyPrincipalView)
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(SessionView) }, { $ref: getSchemaPath(ApiKeyPrincipalView) }] },
  })
  current(
    @CurrentSession() session?: Session,
    @CurrentApiKey() apiKey?: AuthenticatedApiKey,
  ): SessionView | ApiKeyPrincipalView {
    return apiKey ? ApiKeyPrincipalView.of(apiKey) : SessionView.of(session as Session);
  }

  @Get('auth/sessions')
  @SessionOnly()
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
  @SessionOnly()
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
  @SessionOnly()
  @ApiOperation({ operationId: 'logOut', summary: 'Revoke this session', description: 'Takes no body.' })
  @ApiNoContentResponse({ description: 'Logged out' })
  async logout(@CurrentUser() caller: AuthenticatedUser, @CurrentSession() session: Session): Promise<void> {
    await this.sessions.revoke(caller, session.id);
  }

  @Post('auth/logout-all')
  @SessionOnly()
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
