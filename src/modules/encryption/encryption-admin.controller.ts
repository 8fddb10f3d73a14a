import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import { Roles } from '../../common/auth/roles.js';
import { AuditAction } from '../audit/audit-scope.js';
import { EncryptionStatusView, RotateKeyRequest, RotationView } from './dto/encryption.dto.js';
import { KeyRotationService } from './key-rotation.service.js';

@ApiTags('encryption')
@Roles('admin')
@Controller('admin/encryption')
export class EncryptionAdminController {
  constructor(private readonly rotation: KeyRotationService) {}

  @Post('rotate')
  @AuditAction('encryption.key.rotated')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'rotateKey',
    summary: 'Rotate the data key',
    description:
      'Activates a new data key and re-encrypts every encrypted column in the background, into the row-bound v2 envelope; rotating onto the active key upgrades old values without a new key.',
  })
  @ApiAcceptedResponse({ type: RotationView, description: 'Started' })
  @ApiProblem(
    409,
    'A rotation is running, or the key must first be added to the configured keyring',
    'rotation-in-progress',
    'key-not-configured',
  )
  async rotate(@Body() body: RotateKeyRequest): Promise<RotationView> {
    return RotationView.of(await this.rotation.rotate({ keyId: body.keyId, startedBy: 'admin' }));
  }

  @Get('status')
  @ApiOperation({
    operationId: 'getEncryptionStatus',
    summary: 'Encryption status',
    description: 'Values per envelope version and key id per encrypted column, and the last rotation.',
  })
  @ApiOkResponse({ type: EncryptionStatusView })
  async status(): Promise<EncryptionStatusView> {
    return EncryptionStatusView.of(await this.rotation.status());
  }

  @Post('retire/:keyId')
  @AuditAction('encryption.key.retired')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'retireKey',
    summary: 'Retire a key',
    description:
      'Removes a key from the keyring; refused while it is active or any value still uses it. Takes no body.',
  })
  @ApiNoContentResponse({ description: 'Retired' })
  @ApiProblem(404, 'No such key id in the keyring', 'key-not-found')
  @ApiProblem(409, 'The key is active or still encrypts values', 'key-in-use')
  async retire(@Param('keyId') keyId: string): Promise<void> {
    await this.rotation.retire(keyId);
  }
}
