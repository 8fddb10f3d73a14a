import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { Role } from '../../../common/auth/roles.js';
import { BlindIndex, EncryptedColumn, UnreadableValue } from '../../encryption/encrypted-column.decorator.js';

export const USER_STATUSES = ['active', 'disabled', 'locked'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** An encrypted property: the plaintext, or UnreadableValue when the stored ciphertext failed to decrypt. */
export type Sealed<T> = T | UnreadableValue;

/** Every PII column is sealed under the user's own subject key, which erasure destroys. */
@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @EncryptedColumn({ subject: 'id' })
  email: Sealed<string>;

  @BlindIndex('email')
  emailIndex: string;

  @EncryptedColumn({ nullable: true, subject: 'id' })
  phone: Sealed<string> | null;

  @EncryptedColumn({ nullable: true, subject: 'id' })
  ssn: Sealed<string> | null;

  @EncryptedColumn({ nullable: true, subject: 'id' })
  address: Sealed<string> | null;

  @EncryptedColumn({ nullable: true, subject: 'id' })
  displayName: Sealed<string> | null;

  @Column({ type: 'text' })
  role: Role;

  @Column({ type: 'text' })
  status: UserStatus;

  @Column({ type: 'text', name: 'password_hash' })
  passwordHash: string;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;

  /** Raised by every save; orders the user's copies in the search index. */
  @VersionColumn()
  version: number;
}
