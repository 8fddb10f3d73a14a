import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { ItemProblemSchema } from '../../../../common/openapi/problem.schema.js';
import { ProblemException } from '../../../../common/problem.js';
import { UnreadableValue } from '../../../encryption/encrypted-column.decorator.js';
import { RECORD_STATUSES, type RecordStatus } from '../record-status.js';
import type { ComplianceRecord } from '../entities/compliance-record.entity.js';

export const UNREADABLE_DETAIL = 'The stored record cannot be decrypted.';

export class RecordResponse {
  @ApiProperty({ format: 'uuid', example: '6f1c2d9e-1b7a-4a43-9a55-0d7c3c1f0e21' })
  id: string;

  @ApiProperty({ example: 'org-4711' })
  entityId: string;

  @ApiProperty({ example: 'GDPR' })
  framework: string;

  @ApiProperty({ example: 'Art.32-1' })
  controlId: string;

  /**
   * Resolved when a view is built; the record cache keys views by the control graph's generation,
   * so a catalog re-import shows at once. Absent only on a view that has not been through that step yet.
   */
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Security of processing',
    description:
      "The title of the control in its framework's catalog (controlId by OSCAL id or label); null when the " +
      'framework has no catalog or the catalog no longer has the control',
  })
  controlTitle?: string | null;

  @ApiProperty({ enum: RECORD_STATUSES, example: 'passed' })
  status: RecordStatus;

  @ApiProperty({ minimum: 0, maximum: 100, example: 92.5 })
  score: number;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { reviewer: 'team-a' } })
  details: Record<string, unknown>;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Interviewed J. Doe (DPO); access log reviewed.',
    description: 'Decrypted evidence notes',
  })
  evidenceNotes: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-20T10:00:00.000Z' })
  assessedAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-20T10:00:01.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-20T10:00:01.000Z' })
  updatedAt: string;

  @ApiProperty({ type: 'integer', minimum: 1, example: 1, description: 'Send back as If-Match to update' })
  version: number;

  static of(record: ComplianceRecord): RecordResponse {
    if (record.evidenceNotes instanceof UnreadableValue) {
      throw new ProblemException(422, 'record-unreadable', UNREADABLE_DETAIL);
    }
    return {
      id: record.id,
      entityId: record.entityId,
      framework: record.framework,
      controlId: record.controlId,
      status: record.status,
      score: record.score,
      details: record.details,
      evidenceNotes: record.evidenceNotes ?? null,
      assessedAt: record.assessedAt.toISOString(),
      createdAt: record.createdAt.toISOString(),
      updatedAt: record.updatedAt.toISOString(),
      version: record.version,
    };
  }
}

/** A listed record whose evidence notes cannot be decrypted (tampered, or an unknown key). */
export class UnreadableRecordView {
  @ApiProperty({ format: 'uuid', example: '6f1c2d9e-1b7a-4a43-9a55-0d7c3c1f0e21' })
  id: string;

  @ApiProperty({ type: ItemProblemSchema })
  problem: ItemProblemSchema;
}

@ApiExtraModels(RecordResponse, UnreadableRecordView)
export class RecordPage {
  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ $ref: getSchemaPath(RecordResponse) }, { $ref: getSchemaPath(UnreadableRecordView) }] },
    description: 'Records; one whose evidence notes cannot be decrypted appears as { id, problem }.',
  })
  items: (RecordResponse | UnreadableRecordView)[];

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'eyJ2IjoiMjAyNi0xMS0yMFQxMDowMDowMS4wMDBaIn0',
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}
