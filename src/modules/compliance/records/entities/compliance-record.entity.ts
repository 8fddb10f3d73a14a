import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { EncryptedColumn, type UnreadableValue } from '../../../encryption/encrypted-column.decorator.js';
import type { RecordStatus } from '../record-status.js';

const numeric = {
  to: (value?: number) => value,
  from: (value: string | null) => (value === null ? value : Number(value)),
};

/** One assessment of one control for one entity. */
@Entity('compliance_records')
export class ComplianceRecord {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'entity_id', type: 'text' })
  entityId: string;

  @Column({ type: 'text' })
  framework: string;

  @Column({ name: 'control_id', type: 'text' })
  controlId: string;

  @Column({ type: 'text' })
  status: RecordStatus;

  @Column({ type: 'numeric', precision: 5, scale: 2, transformer: numeric })
  score: number;

  @Column({ type: 'jsonb' })
  details: Record<string, unknown>;

  /** Free text that often carries personal data: stored as ciphertext (`v1:<keyId>:…`). */
  @EncryptedColumn({ nullable: true })
  evidenceNotes: string | UnreadableValue | null;

  @Column({ name: 'assessed_at', type: 'timestamptz' })
  assessedAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz' })
  deletedAt: Date | null;

  @VersionColumn()
  version: number;
}
