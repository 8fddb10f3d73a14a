import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateBy } from 'class-validator';
import { type Role, ROLES } from '../../../common/auth/roles.js';
import { DateTime, Integer, Required } from '../../../common/validation-rules.js';
import { type ApiKeyWithSecrets, type AuthenticatedApiKey, isActive } from '../api-key.js';
import { displayPrefix } from '../api-key-secret.js';
import { parseCidr } from '../cidr.js';

export const MAX_ALLOWED_CIDRS = 32;
/** 30 days: longer than any rollout of a new secret should take. */
export const MAX_ROTATION_OVERLAP_SECONDS = 2_592_000;
const PREFIX_EXAMPLE = 'ck_live_4fTq9ZbN2xKc';
const KEY_ID_EXAMPLE = '0f5c1b8e-6a2d-4c3f-9e7a-1d2b3c4d5e6f';

const IsCidr = () =>
  ValidateBy(
    {
      name: 'isCidr',
      validator: { validate: (value) => typeof value === 'string' && parseCidr(value) !== undefined },
      constraints: [],
    },
    {
      each: true,
      message: 'each value in $property must be a network in CIDR notation without host bits, e.g. 203.0.113.0/24',
    },
  );

export class CreateApiKeyRequest {
  @ApiProperty({ example: 'nessus-scanner-prod', maxLength: 100, description: 'The client the key is for' })
  @Required()
  @IsString()
  @MaxLength(100)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiProperty({ enum: ROLES, example: 'analyst', description: 'What the key may do, as for a user of this role' })
  @Required()
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ format: 'date-time', example: '2027-06-30T00:00:00.000Z', description: 'In the future' })
  @IsOptional()
  @DateTime()
  expiresAt?: Date;

  @ApiPropertyOptional({
    type: [String],
    example: ['203.0.113.0/24', '2001:db8::/32'],
    maxItems: MAX_ALLOWED_CIDRS,
    description: 'Networks requests may come from (the TCP peer address); absent or empty allows every address',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ALLOWED_CIDRS)
  @IsCidr()
  allowedCidrs?: string[];
}

export class RotateApiKeyRequest {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_ROTATION_OVERLAP_SECONDS,
    default: 86_400,
    description: 'How long the previous secret keeps working; 0 ends it at once',
  })
  @IsOptional()
  @Integer({ min: 0, max: MAX_ROTATION_OVERLAP_SECONDS })
  overlapSeconds?: number;
}

export class PreviousSecretView {
  @ApiProperty({ example: 'ck_live_9hWm3RvK0pLd' })
  prefix: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z', description: 'When it stops working' })
  expiresAt: string;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export class ApiKeyView {
  @ApiProperty({ format: 'uuid', example: KEY_ID_EXAMPLE, description: 'Also the actor id of its audit events' })
  id: string;

  @ApiProperty({ example: 'nessus-scanner-prod' })
  name: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({ example: PREFIX_EXAMPLE, description: 'The start of the current secret: enough to recognise it' })
  prefix: string;

  @ApiProperty({ enum: ['active', 'expired', 'revoked'] })
  status: 'active' | 'expired' | 'revoked';

  @ApiProperty({ format: 'date-time', example: '2026-11-20T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({
    format: 'uuid',
    example: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
    description: 'A user or an admin key',
  })
  createdBy: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-20T10:05:00.000Z' })
  lastUsedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  expiresAt: string | null;

  @ApiProperty({ type: [String], example: ['203.0.113.0/24'], description: 'Empty: every address' })
  allowedCidrs: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  revokedAt: string | null;

  @ApiProperty({ type: [PreviousSecretView], description: 'Superseded secrets still inside their overlap' })
  previousSecrets: PreviousSecretView[];

  static of(key: ApiKeyWithSecrets, now = new Date()): ApiKeyView {
    const [current, ...older] = key.secrets;
    return {
      id: key.id,
      name: key.name,
      role: key.role,
      prefix: displayPrefix(current.lookupId),
      status: key.revokedAt ? 'revoked' : isActive(key, now) ? 'active' : 'expired',
      createdAt: key.createdAt.toISOString(),
      createdBy: key.createdBy,
      lastUsedAt: iso(key.lastUsedAt),
      expiresAt: iso(key.expiresAt),
      allowedCidrs: key.allowedCidrs,
      revokedAt: iso(key.revokedAt),
      previousSecrets: isActive(key, now)
        ? older
            .filter((secret) => secret.expiresAt && secret.expiresAt > now)
            .map((secret) => ({ prefix: displayPrefix(secret.lookupId), expiresAt: iso(secret.expiresAt) as string }))
        : [],
    };
  }
}

export class IssuedApiKey {
  @ApiProperty({
    // The shape of a key with a checksum that fails, so scanners verifying it skip the example.
    example: 'ck_live_4fTq9ZbN2xKc_Xr8bQ2mVt6LwZ0yH4kPj9sNd3FgC7aE1uRi5oBvMn2KEXAMPL',
    description: 'The API key, shown once: only its SHA-256 is stored. `Authorization: Bearer …` or `X-API-Key: …`.',
  })
  secret: string;

  @ApiProperty({ type: ApiKeyView })
  key: ApiKeyView;
}

/** What GET /auth/session answers for a request made with an API key. */
export class ApiKeyPrincipalView {
  @ApiProperty({ enum: ['api-key'], description: 'Tells this answer from a session' })
  kind: 'api-key';

  @ApiProperty({ format: 'uuid', example: KEY_ID_EXAMPLE })
  keyId: string;

  @ApiProperty({ example: 'nessus-scanner-prod' })
  name: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({ example: PREFIX_EXAMPLE, description: 'The start of the secret this request presented' })
  prefix: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: null,
    description: 'When the presented secret stops working: null for the current one, the overlap end for an old one',
  })
  secretExpiresAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  expiresAt: string | null;

  @ApiProperty({ type: [String], example: ['203.0.113.0/24'] })
  allowedCidrs: string[];

  static of({ key, lookupId, secretExpiresAt }: AuthenticatedApiKey): ApiKeyPrincipalView {
    return {
      kind: 'api-key',
      keyId: key.id,
      name: key.name,
      role: key.role,
      prefix: displayPrefix(lookupId),
      secretExpiresAt: iso(secretExpiresAt),
      expiresAt: iso(key.expiresAt),
      allowedCidrs: key.allowedCidrs,
    };
  }
}
