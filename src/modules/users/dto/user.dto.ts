import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath, PartialType } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { type Role, ROLES } from '../../../common/auth/roles.js';
import { INT4 } from '../../../common/scalars.js';
import { Integer, notNullFields } from '../../../common/validation-rules.js';
import { ItemProblemSchema } from '../../../common/openapi/problem.schema.js';
import { USER_STATUSES, type UserStatus } from '../entities/user.entity.js';

const E164 = /^\+[1-9]\d{6,14}$/;
const SSN = /^\d{3}-\d{2}-\d{4}$/;

export class CreateUserRequest {
  @ApiProperty({ example: 'jane.doe@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 12 })
  @IsString()
  @MinLength(12)
  @MaxLength(256)
  password: string;

  @ApiProperty({ enum: ROLES, example: 'analyst' })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ example: '+14155550123', description: 'E.164' })
  @IsOptional()
  @Matches(E164, { message: 'phone must be in E.164 format, e.g. +14155550123' })
  phone?: string;

  @ApiPropertyOptional({ example: '123-45-6789' })
  @IsOptional()
  @Matches(SSN, { message: 'ssn must look like 123-45-6789' })
  ssn?: string;

  @ApiPropertyOptional({ example: '1 Main St, Springfield' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string;

  @ApiPropertyOptional({ example: 'Jane Doe' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayName?: string;
}

/**
 * Every field of a create, each optional; a role change is allowed to admins only (service rule).
 * `null` clears phone, ssn, address or display name; on the others (NOT NULL columns) it is a 400.
 */
export class UpdateUserRequest extends PartialType(CreateUserRequest) {}
notNullFields(UpdateUserRequest, ['email', 'password', 'role']);

const PAGE_RANGE = { min: 1, max: INT4.max } as const;

export class ListUsersQuery {
  @ApiPropertyOptional({ type: 'integer', default: 1, minimum: PAGE_RANGE.min, maximum: PAGE_RANGE.max })
  @IsOptional()
  @Integer(PAGE_RANGE, 'query')
  page = 1;

  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Integer({ min: 1, max: 200 }, 'query')
  pageSize = 50;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ enum: USER_STATUSES })
  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: UserStatus;
}

export class UserView {
  @ApiProperty({ format: 'uuid', example: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' })
  id: string;

  @ApiProperty({ example: 'j***@example.com', description: 'Masked unless the caller is an admin or this user.' })
  email: string;

  @ApiProperty({ type: String, example: '***23', nullable: true })
  phone: string | null;

  @ApiProperty({ type: String, example: '***89', nullable: true })
  ssn: string | null;

  @ApiProperty({ type: String, example: '***', nullable: true })
  address: string | null;

  @ApiProperty({
    type: String,
    example: 'Jane Doe',
    nullable: true,
    description: 'Encrypted at rest; `***` unless the caller is an admin or this user.',
  })
  displayName: string | null;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({ enum: USER_STATUSES })
  status: UserStatus;

  @ApiProperty({ description: 'true when PII fields are masked for this caller' })
  masked: boolean;

  @ApiProperty({ format: 'date-time', example: '2026-11-20T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-20T10:00:00.000Z' })
  updatedAt: string;
}

export class UnreadableUserView {
  @ApiProperty({ format: 'uuid', example: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' })
  id: string;

  @ApiProperty({ type: ItemProblemSchema })
  problem: ItemProblemSchema;
}

@ApiExtraModels(UserView, UnreadableUserView)
export class UserPage {
  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ $ref: getSchemaPath(UserView) }, { $ref: getSchemaPath(UnreadableUserView) }] },
    description: 'Users; one that cannot be decrypted appears as { id, problem }.',
  })
  items: (UserView | UnreadableUserView)[];

  @ApiProperty({ type: 'integer', example: 1 })
  page: number;

  @ApiProperty({ type: 'integer', example: 50 })
  pageSize: number;

  @ApiProperty({ type: 'integer', example: 120 })
  total: number;
}
