import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The frameworks a record may name; a new framework is a row, not a code change. */
@Entity('compliance_frameworks')
export class ComplianceFramework {
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Column({ type: 'text' })
  name: string;
}
