import { SetMetadata } from '@nestjs/common';

export const ROLES = ['admin', 'auditor', 'analyst', 'service'] as const;
export type Role = (typeof ROLES)[number];

export const ROLES_KEY = 'roles';
export const PUBLIC_KEY = 'public';
export const SESSION_ONLY_KEY = 'session-only';

/** Only these roles may call the route (admin may call every route). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The route needs no session or key: health, metrics, docs, login. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The route is about the caller's own sessions: an API key gets 403 (it has none). */
export const SessionOnly = () => SetMetadata(SESSION_ONLY_KEY, true);

/** How the caller authenticated: a user's session token, or an API key. */
export type PrincipalKind = 'session' | 'api-key';

/** Who is calling, as established by the guard. */
export interface AuthenticatedUser {
  kind: PrincipalKind;
  /** The user's id, or the API key's id: the actor of the request's audit events either way. */
  id: string;
  role: Role;
  /** Set for a session; an API key has none. */
  sessionId?: string;
}
