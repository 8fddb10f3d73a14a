import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'FieldError' })
export class FieldErrorSchema {
  @ApiProperty({ example: 'records.3.score', description: 'Dotted path of the offending field' })
  field: string;

  @ApiProperty({ type: [String], example: ['score must not be greater than 100'] })
  messages: string[];
}

/** The one error body of this API (RFC 9457); extension members such as `checks` may follow. */
@ApiSchema({ name: 'Problem', description: 'RFC 9457 problem document; types are listed in docs/errors.md' })
export class ProblemSchema {
  @ApiProperty({ example: '/problems/validation', description: 'A path under /problems/' })
  type: string;

  @ApiProperty({ example: 'Bad Request', description: 'The HTTP status text' })
  title: string;

  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400 })
  status: number;

  @ApiPropertyOptional({ example: 'Invalid field(s): score.' })
  detail?: string;

  @ApiPropertyOptional({ example: '/compliance/records', description: 'The request path' })
  instance?: string;

  @ApiPropertyOptional({ example: '3b8f9f1e-7c55-4f0e-9d1c-2c9b0b7c1a10', description: 'Also sent as X-Request-Id' })
  requestId?: string;

  @ApiPropertyOptional({ type: [FieldErrorSchema], description: 'Only for /problems/validation' })
  errors?: FieldErrorSchema[];
}

/** The problem of one item in a listing that is served whole (e.g. a record that cannot be decrypted). */
@ApiSchema({ name: 'ItemProblem' })
export class ItemProblemSchema {
  @ApiProperty({ example: '/problems/record-unreadable' })
  type: string;

  @ApiProperty({ type: 'integer', example: 422 })
  status: number;

  @ApiProperty({ example: 'The stored record cannot be decrypted.' })
  detail: string;
}
