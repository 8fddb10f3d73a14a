import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.js';
import { AuditAction } from '../audit/audit-scope.js';
import { EncryptionStatusView, RotateKeyRequest, RotationView } from './dto/encryption.dto.js';
import { KeyRotationService } from './key-rotation.service.js';

@ApiTags('encryption')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/encryption')
export class EncryptionAdminController {
  constructor(private readonly rotation: KeyRotationService) {}

  @Post('rotate')
  @AuditAction('encryption.key.rotated')
  @HttpCode(202)
  @ApiOperation({ summary: 'Activate a new data key and re-encrypt every encrypted column in the background' })
  async rotate(@Body() body: RotateKeyRequest): Promise<RotationView> {
    return RotationView.of(await this.rotation.rotate(body.keyId));
  }

  @Get('status')
  @ApiOperation({ summary: 'Rows per key id per encrypted column, and the last rotation' })
  async status(): Promise<EncryptionStatusView> {
    return EncryptionStatusView.of(await this.rotation.status());
  }

  @Post('retire/:keyId')
  @AuditAction('encryption.key.retired')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a key from the keyring; refused while any row still uses it' })
  async retire(@Param('keyId') keyId: string): Promise<void> {
    await this.rotation.retire(keyId);
  }
}
