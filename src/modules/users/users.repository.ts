import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { FieldCipher } from '../encryption/field-cipher.js';
import type { Role } from '../../common/auth/roles.js';
import { UserEntity, UserStatus } from './entities/user.entity.js';
import type { UserColumns } from './user-events.js';
import { QueryOwner } from '../../infrastructure/database/query-owner.js';

export interface UserListQuery {
  page: number;
  pageSize: number;
  role?: Role;
  status?: UserStatus;
}

/** Users in Postgres. Writes go through the request's transaction. */
@QueryOwner()
@Injectable()
export class UsersRepository {
  constructor(
    private readonly transactions: TransactionContext,
    private readonly cipher: FieldCipher,
  ) {}

  private get repository() {
    return this.transactions.manager.getRepository(UserEntity);
  }

  save(user: UserEntity): Promise<UserEntity> {
    return this.repository.save(user);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repository.findOneBy({ id });
  }

  /** Indexed equality on the blind index (idx_users_email_active); nothing is decrypted to search. */
  findActiveByEmail(email: string): Promise<UserEntity | null> {
    return this.repository.findOneBy({ emailIndex: this.cipher.blindIndex(email), status: 'active' });
  }

  async list(query: UserListQuery): Promise<{ items: UserEntity[]; total: number }> {
    const [items, total] = await this.repository.findAndCount({
      where: {
        ...(query.role ? { role: query.role } : {}),
        ...(query.status ? { status: query.status } : {}),
      },
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    });
    return { items, total };
  }

  count(): Promise<number> {
    return this.repository.count();
  }

  countActiveAdmins(): Promise<number> {
    return this.repository.countBy({ role: 'admin', status: 'active' });
  }

  /** After erasure the blind index no longer matches the email (no lookup, no uniqueness clash). */
  async markErased(id: string): Promise<void> {
    await this.transactions.manager.query(`UPDATE users SET email_index = 'erased:' || id::text WHERE id = $1`, [id]);
  }

  /** Up to `limit` users after `after` by id, read from the plain columns only: nothing is decrypted. */
  async plainColumnsAfter(after: string | undefined, limit: number): Promise<UserColumns[]> {
    const rows = (await this.transactions.manager.query(
      `SELECT id, role, status, created_at, updated_at, version FROM users
       WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`,
      [after ?? null, limit],
    )) as { id: string; role: Role; status: UserStatus; created_at: Date; updated_at: Date; version: number }[];
    return rows.map((row) => ({
      id: row.id,
      role: row.role,
      status: row.status,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      version: row.version,
    }));
  }
}
