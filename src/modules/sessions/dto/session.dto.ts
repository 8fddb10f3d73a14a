import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { type Role, ROLES } from '../../../common/auth/roles.js';
import type { Session } from '../session.js';

export class LoginRequest {
  @ApiProperty({ example: 'jane.doe@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MaxLength(256)
  password: string;

  @ApiPropertyOptional({
    example: 'Work laptop',
    maxLength: 100,
    description: 'A name for this device, shown in session listings; stored encrypted.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[^\p{Cc}]*$/u, { message: '$property must not contain control characters' })
  deviceName?: string;
}

export class ReauthenticateRequest {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MaxLength(256)
  password: string;
}

export class SessionView {
  @ApiProperty({ format: 'uuid', example: '0b0e9c8e-7f0f-4f8e-9d55-3c1c3f0b9a11' })
  id: string;

  @ApiProperty({ format: 'uuid', example: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' })
  userId: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({ format: 'date-time', example: '2026-11-20T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-20T10:05:00.000Z' })
  lastActivityAt: string;

  @ApiProperty({
    format: 'date-time',
    example: '2026-11-20T10:35:00.000Z',
    description: 'Sliding expiry (idle timeout, capped by the absolute one)',
  })
  expiresAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-20T22:00:00.000Z' })
  absoluteExpiresAt: string;

  @ApiProperty({ type: String, example: '203.0.113.7', nullable: true, description: 'At login; stored encrypted.' })
  ip: string | null;

  @ApiProperty({ type: String, example: 'Mozilla/5.0', nullable: true, description: 'At login; stored encrypted.' })
  userAgent: string | null;

  @ApiProperty({
    example: '9f86d081884c7d659a2feaa0c55ad015',
    description: 'Keyed hash of the device traits the session is bound to (docs/security.md); never the traits.',
  })
  deviceFingerprint: string;

  @ApiProperty({ type: String, example: 'Work laptop', nullable: true })
  deviceName: string | null;

  @ApiProperty({
    example: false,
    description: 'Used from another device (step-up mode): refused until POST /auth/reauthenticate.',
  })
  reauthenticationRequired: boolean;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-20T10:20:00.000Z', nullable: true })
  reauthenticatedAt: string | null;

  static of(session: Session): SessionView {
    return {
      id: session.id,
      userId: session.userId,
      role: session.role,
      createdAt: new Date(session.createdAt).toISOString(),
      lastActivityAt: new Date(session.lastActivityAt).toISOString(),
      expiresAt: new Date(session.expiresAt).toISOString(),
      absoluteExpiresAt: new Date(session.absoluteExpiresAt).toISOString(),
      ip: session.ip,
      userAgent: session.userAgent,
      deviceFingerprint: session.deviceFingerprint,
      deviceName: session.metadata.deviceName ?? null,
      reauthenticationRequired: session.reauthRequiredAt !== null,
      reauthenticatedAt: session.metadata.reauthenticatedAt ?? null,
    };
  }
}

export class LoginResponse {
  @ApiProperty({
    example: 'q1Vb0m3Q9cT0sF3kY3gk1m2n8rJ6q0wY3Vq8E1bP3aA',
    description: 'Bearer token, shown once; only its SHA-256 is stored.',
  })
  token: string;

  @ApiProperty({ type: SessionView })
  session: SessionView;
}

export class RevokedCount {
  @ApiProperty({ type: 'integer', minimum: 0, example: 3 })
  revoked: number;
}
