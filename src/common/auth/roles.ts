import { SetMetadata } from '@nestjs/common';

export const ROLES = ['admin', 'auditor', 'analyst', 'service'] as const;
export type Role = (typeof ROLES)[number];

export const ROLES_KEY = 'roles';
export const PUBLIC_KEY = 'public';

/** Only these roles may call the route (admin may call every route). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The route needs no session: health, metrics, docs, login. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Who is calling, as established by the session guard. */
export interface AuthenticatedUser {
  id: string;
  role: Role;
  sessionId: string;
}
