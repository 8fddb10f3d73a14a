import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import type { EncryptionStatus } from '../key-rotation.service.js';
import type { RotationRun } from '../encryption-rotation.repository.js';
import type { RotationScheduleState } from '../rotation-schedule.js';

export class RotateKeyRequest {
  @ApiPropertyOptional({
    example: 'k2',
    description: 'Key to activate; a new random key is generated when absent or unknown (file-backed keyrings only).',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  keyId?: string;
}

export class RotationView {
  @ApiProperty({ format: 'uuid', example: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' })
  id: string;

  @ApiProperty({ example: 'k2' })
  targetKeyId: string;

  @ApiProperty({ enum: ['running', 'completed'] })
  status: string;

  @ApiProperty({ enum: ['admin', 'schedule'], description: 'Who started the run.' })
  startedBy: string;

  @ApiProperty({ enum: ['v1', 'v2'], description: 'Envelope version the run writes (v1: runs before row binding).' })
  targetEnvelope: string;

  @ApiProperty({ type: 'integer', example: 1200 })
  rowsReencrypted: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T17:00:00.000Z' })
  startedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-24T17:05:00.000Z' })
  finishedAt: string | null;

  static of(run: RotationRun): RotationView {
    return Object.assign(new RotationView(), {
      id: run.id,
      targetKeyId: run.targetKeyId,
      targetEnvelope: run.targetEnvelope,
      status: run.status,
      startedBy: run.startedBy,
      rowsReencrypted: run.rowsReencrypted,
      startedAt: new Date(run.startedAt).toISOString(),
      finishedAt: run.finishedAt ? new Date(run.finishedAt).toISOString() : null,
    });
  }
}

const BY_VERSION = {
  type: 'object',
  additionalProperties: { type: 'integer' },
  example: { v1: 10, v2: 9990, s1: 500 },
  description:
    'Values per envelope version: v2 is bound to its row, v1 (before row binding) to its column only, s1 is bound to its row under a data subject key.',
} as const;

const BY_VERSION_AND_KEY = {
  type: 'object',
  additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } },
  example: { v1: { k1: 10 }, v2: { k1: 90, k2: 9900 } },
  description: 'Values per envelope version, then per key id.',
} as const;

export class ColumnStatusView {
  @ApiProperty({ example: 'users' })
  table: string;

  @ApiProperty({ example: 'email' })
  column: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { k1: 10, k2: 9990 },
    description: 'Rows per key id.',
  })
  rowsByKey: Record<string, number>;

  @ApiProperty(BY_VERSION)
  rowsByVersion: Record<string, number>;

  @ApiProperty(BY_VERSION_AND_KEY)
  rowsByVersionAndKey: Record<string, Record<string, number>>;
}

export class RotationScheduleView {
  @ApiProperty({ type: 'integer', example: 90, description: 'ENCRYPTION_ROTATION_INTERVAL_DAYS.' })
  intervalDays: number;

  @ApiProperty({
    format: 'date-time',
    example: '2026-09-01T00:00:00.000Z',
    description: 'Since when the active key is active.',
  })
  activeKeySince: string;

  @ApiProperty({
    format: 'date-time',
    example: '2026-11-30T00:00:00.000Z',
    description: 'When the schedule rotates next (at its next hourly check once this has passed).',
  })
  nextRotationAt: string;

  @ApiPropertyOptional({ type: RotationView, description: 'The last run the schedule started.' })
  lastRun?: RotationView;

  static of(state: RotationScheduleState): RotationScheduleView {
    return Object.assign(new RotationScheduleView(), {
      intervalDays: state.intervalDays,
      activeKeySince: state.activeKeySince.toISOString(),
      nextRotationAt: state.nextRotationAt.toISOString(),
      lastRun: state.lastRun ? RotationView.of(state.lastRun) : undefined,
    });
  }
}

export class SubjectKeyCoverageView {
  @ApiProperty({ type: 'integer', example: 120, description: 'Data subjects with a key.' })
  activeKeys: number;

  @ApiProperty({ type: 'integer', example: 2, description: 'Erased subjects (their key destroyed).' })
  erasedKeys: number;

  @ApiProperty({ type: 'integer', example: 600, description: 'Per-subject values sealed under their subject key.' })
  sealedValues: number;

  @ApiProperty({
    type: 'integer',
    example: 0,
    description:
      'Per-subject values still under the keyring; a rotation run (POST /admin/encryption/rotate) moves them.',
  })
  pendingValues: number;
}

export class EncryptionStatusView {
  @ApiProperty({ example: 'k2' })
  activeKeyId: string;

  @ApiProperty({ type: [String], example: ['k1', 'k2'] })
  keyIds: string[];

  @ApiProperty({ type: [ColumnStatusView] })
  columns: ColumnStatusView[];

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { k1: 40, k2: 39960 },
    description: 'Values per key id over every encrypted column.',
  })
  rowsByKey: Record<string, number>;

  @ApiProperty(BY_VERSION)
  rowsByVersion: Record<string, number>;

  @ApiProperty(BY_VERSION_AND_KEY)
  rowsByVersionAndKey: Record<string, Record<string, number>>;

  @ApiProperty({
    description:
      'Whether v1 values (bound to their column, not their row) are still read: true until an upgrade run completed.',
  })
  legacyEnvelopeAccepted: boolean;

  @ApiProperty({ type: SubjectKeyCoverageView })
  subjectKeys: SubjectKeyCoverageView;

  @ApiPropertyOptional({ type: RotationView })
  rotation?: RotationView;

  @ApiPropertyOptional({
    type: RotationScheduleView,
    description: 'The rotation schedule; absent while ENCRYPTION_ROTATION_INTERVAL_DAYS is 0.',
  })
  schedule?: RotationScheduleView;

  static of(status: EncryptionStatus): EncryptionStatusView {
    return Object.assign(new EncryptionStatusView(), {
      ...status,
      rotation: status.rotation ? RotationView.of(status.rotation) : undefined,
      schedule: status.schedule ? RotationScheduleView.of(status.schedule) : undefined,
    });
  }
}
