import type { UserEntity } from './entities/user.entity.js';

export const USER_CREATED = 'user.created';
export const USER_UPDATED = 'user.updated';

/**
 * What leaves Postgres through the outbox when a user changes: the plain columns only. Nothing
 * encrypted (email, name, phone, SSN, address) and no password hash, in clear or otherwise.
 */
export interface UserSnapshot {
  id: string;
  role: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface UserEventPayload extends Record<string, unknown> {
  user: UserSnapshot;
}

export type UserColumns = Pick<UserEntity, 'id' | 'role' | 'status' | 'createdAt' | 'updatedAt' | 'version'>;

export function userSnapshot(user: UserColumns): UserSnapshot {
  return {
    id: user.id,
    role: user.role,
    status: user.status,
    createdAt: new Date(user.createdAt).toISOString(),
    updatedAt: new Date(user.updatedAt).toISOString(),
    version: Number(user.version),
  };
}
