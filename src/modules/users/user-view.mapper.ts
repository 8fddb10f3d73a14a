import type { AuthenticatedUser } from '../../common/auth/roles.js';
import { UnreadableValue } from '../encryption/encrypted-column.decorator.js';
import type { UserView } from './dto/user.dto.js';
import type { Sealed, UserEntity } from './entities/user.entity.js';
import { maskAll, maskEmail, maskTail } from './pii-mask.js';

const SEALED_FIELDS = ['email', 'phone', 'ssn', 'address', 'displayName'] as const;
/** What every sealed field of an erased user reads as. */
export const ERASED_FIELD = '[erased]';

const isErasedValue = (value: unknown) => value instanceof UnreadableValue && value.error.reason === 'erased';

/** Encrypted fields of this user that could not be decrypted (an erased subject's are not: nothing is wrong). */
export function unreadableFields(user: UserEntity): { field: string; value: UnreadableValue }[] {
  return SEALED_FIELDS.flatMap((field) => {
    const value = user[field];
    return value instanceof UnreadableValue && !isErasedValue(value) ? [{ field, value }] : [];
  });
}

/** Whether the user's subject key is erased (the email, never null, is then unreadable as `erased`). */
export function isErased(user: UserEntity): boolean {
  return SEALED_FIELDS.some((field) => isErasedValue(user[field]));
}

/** PII (every sealed field) in clear for admins and the user themself, masked for everyone else. */
export function toUserView(user: UserEntity, viewer?: AuthenticatedUser): UserView {
  const clear = viewer?.role === 'admin' || viewer?.id === user.id;
  const text = (value: Sealed<string> | null) => (typeof value === 'string' ? value : null);
  const mask = (value: Sealed<string> | null, masker: (v: string) => string) => {
    if (isErasedValue(value)) return ERASED_FIELD;
    const plain = text(value);
    return plain === null || clear ? plain : masker(plain);
  };
  return {
    id: user.id,
    email: mask(user.email, maskEmail) as string,
    phone: mask(user.phone, (v) => maskTail(v)),
    ssn: mask(user.ssn, (v) => maskTail(v)),
    address: mask(user.address, maskAll),
    // Encrypted like the rest, so masked like the rest.
    displayName: mask(user.displayName, maskAll),
    role: user.role,
    status: user.status,
    masked: !clear,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
