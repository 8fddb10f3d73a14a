import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.js';
import { type AuthenticatedUser, Roles } from '../../common/auth/roles.js';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import { uuidParam } from '../../common/uuid-param.js';
import { AuditAction } from '../audit/audit-scope.js';
import { ApiKeysService, type IssuedSecret } from './api-keys.service.js';
import { ApiKeyView, CreateApiKeyRequest, IssuedApiKey, RotateApiKeyRequest } from './dto/api-key.dto.js';

const keyId = uuidParam('No such API key.');
const issued = ({ secret, key }: IssuedSecret): IssuedApiKey => ({ secret, key: ApiKeyView.of(key) });

/** Admins only, whether they call with a session or with an admin key. */
@ApiTags('api keys')
@Controller('api-keys')
@Roles('admin')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @AuditAction('api-key.created')
  @ApiOperation({
    operationId: 'createApiKey',
    summary: 'Create an API key for a machine client',
    description:
      'Returns the key once (`secret`); only its SHA-256 is stored. The key acts with its role, from ' +
      'the allowed networks only, until it expires or is revoked.',
  })
  @ApiCreatedResponse({ type: IssuedApiKey })
  async create(@Body() body: CreateApiKeyRequest, @CurrentUser() caller: AuthenticatedUser): Promise<IssuedApiKey> {
    return issued(await this.keys.create(body, caller));
  }

  @Get()
  @ApiOperation({
    operationId: 'listApiKeys',
    summary: 'Every API key, revoked and expired ones included',
    description: 'Newest first; secrets appear only as their prefix.',
  })
  @ApiOkResponse({ type: [ApiKeyView] })
  async list(): Promise<ApiKeyView[]> {
    return (await this.keys.list()).map((key) => ApiKeyView.of(key));
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getApiKey', summary: 'Read one API key', description: 'Secrets only as prefixes.' })
  @ApiOkResponse({ type: ApiKeyView })
  @ApiProblem(404, 'No such API key', 'not-found')
  async get(@Param('id', keyId) id: string): Promise<ApiKeyView> {
    return ApiKeyView.of(await this.keys.get(id));
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @AuditAction('api-key.rotated')
  @ApiOperation({
    operationId: 'rotateApiKey',
    summary: 'Issue a new secret for a key',
    description:
      'Returns the new secret once. The previous secrets keep working for `overlapSeconds` (default ' +
      'one day, 0 ends them at once), so clients can switch without an outage. The body is optional.',
  })
  @ApiOkResponse({ type: IssuedApiKey })
  @ApiProblem(404, 'No such API key', 'not-found')
  @ApiProblem(409, 'The key is revoked or expired', 'api-key-inactive')
  async rotate(@Param('id', keyId) id: string, @Body() body: RotateApiKeyRequest): Promise<IssuedApiKey> {
    return issued(await this.keys.rotate(id, body.overlapSeconds));
  }

  @Delete(':id')
  @HttpCode(204)
  @AuditAction('api-key.revoked')
  @ApiOperation({
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key',
    description: 'Every secret of the key stops working on every replica once this returns. Idempotent.',
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblem(404, 'No such API key', 'not-found')
  async revoke(@Param('id', keyId) id: string): Promise<void> {
    await this.keys.revoke(id);
  }
}
