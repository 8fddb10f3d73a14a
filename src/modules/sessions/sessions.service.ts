import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { AuthenticatedUser, Role } from '../../common/auth/roles.js';
import { ProblemException } from '../../common/problem.js';
import { AppConfig } from '../../config/app-config.js';
import { UsersService } from '../users/users.service.js';
import { CLOCK, type Clock } from './clock.js';
import { DeviceBinding, type SessionCheck } from './device-binding.js';
import { LoginFailureRepository } from './login-failure.repository.js';
import { isLive, Session, type SessionMetadata, slide } from './session.js';
import { SessionRepository } from './session.repository.js';
import { hashToken, newSessionToken } from './session-token.js';
import { SESSION_STORE, type SessionStore } from './stores/session-store.js';

/** Activity is recorded at most this often per session; sliding expiry is that precise. */
const TOUCH_GRANULARITY_MS = 5_000;

export interface NewSession {
  token: string;
  session: Session;
}

export interface SessionOrigin {
  ip: string | null;
  userAgent: string | null;
  deviceFingerprint: string;
  deviceName?: string;
}

/**
 * Session lifecycle: create (with the per-user limit), validate (device binding, sliding expiry),
 * re-bind after re-authentication, list, revoke.
 */
@Injectable()
export class SessionsService implements OnModuleInit {
  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly sessions: SessionRepository,
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly binding: DeviceBinding,
    private readonly failures: LoginFailureRepository,
  ) {}

  /** A disabled user, or one whose role or password changed, keeps no session. */
  onModuleInit(): void {
    this.users.onAccessChanged(async (userId) => {
      await this.revokeAll(userId);
    });
  }

  async create(user: { id: string; role: Role }, { deviceName, ...origin }: SessionOrigin): Promise<NewSession> {
    const { idleTimeoutSeconds, absoluteTimeoutSeconds, maxPerUser } = this.config.sessions;
    const now = this.clock.now();
    const token = newSessionToken();
    const absoluteExpiresAt = new Date(now.getTime() + absoluteTimeoutSeconds * 1000);
    const session: Session = {
      id: randomUUID(),
      tokenHash: hashToken(token),
      userId: user.id,
      role: user.role,
      createdAt: now,
      lastActivityAt: now,
      expiresAt: absoluteExpiresAt,
      absoluteExpiresAt,
      revokedAt: null,
      reauthRequiredAt: null,
      ...origin,
      metadata: { method: 'password', ...(deviceName === undefined ? {} : { deviceName }) } satisfies SessionMetadata,
    };
    slide(session, now, idleTimeoutSeconds);
    await this.store.create(session);
    const live = await this.sessions.listLive(user.id, now);
    const surplus = live.slice(maxPerUser);
    if (surplus.length) await this.store.revoke(surplus, now);
    return { token, session };
  }

  /**
   * The live session behind a bearer token (its expiry slid forward), or undefined. A request from
   * another device, or on a session waiting for re-authentication, throws its 401 problem instead.
   */
  async authenticate(token: string, check: SessionCheck): Promise<Session | undefined> {
    const session = await this.store.find(hashToken(token));
    const now = this.clock.now();
    if (!session || !isLive(session, now)) return undefined;
    await this.binding.verify(session, check, now);
    if (now.getTime() - session.lastActivityAt.getTime() >= TOUCH_GRANULARITY_MS) {
      slide(session, now, this.config.sessions.idleTimeoutSeconds);
      await this.store.touch(session);
    }
    return session;
  }

  /** After the password was proven again: bound to `deviceFingerprint`, the re-authentication mark cleared. */
  async rebind(session: Session, deviceFingerprint: string): Promise<Session> {
    const rebound: Session = {
      ...session,
      deviceFingerprint,
      reauthRequiredAt: null,
      metadata: { ...session.metadata, reauthenticatedAt: this.clock.now().toISOString() },
    };
    await this.store.rebind(rebound);
    return rebound;
  }

  listMine(userId: string): Promise<Session[]> {
    return this.sessions.listLive(userId, this.clock.now());
  }

  /** Revokes one session; users may revoke their own, admins any. */
  async revoke(caller: AuthenticatedUser, sessionId: string): Promise<void> {
    const session = await this.sessions.findById(sessionId);
    if (!session || (session.userId !== caller.id && caller.role !== 'admin')) {
      throw new ProblemException(404, 'not-found', 'No such session.');
    }
    await this.store.revoke([session], this.clock.now());
  }

  /** Every session of a user, live or ended, newest first (a subject access export). */
  listAll(userId: string): Promise<Session[]> {
    return this.sessions.listAll(userId);
  }

  /**
   * What an erased subject leaves here: every session ended (Redis copies purged with them), the
   * origin (IP, user agent, metadata) of every row of theirs wiped, and the failed-login counter
   * keyed by their email's blind index gone.
   */
  async forgetSubject(userId: string, emailIndex: string | undefined): Promise<void> {
    await this.revokeAll(userId);
    await this.sessions.wipeOrigins(userId);
    if (emailIndex) await this.failures.forget(`account:${emailIndex}`);
  }

  /** Revokes every live session of a user; returns how many. */
  async revokeAll(userId: string): Promise<number> {
    const now = this.clock.now();
    const live = await this.sessions.listLive(userId, now);
    await this.store.revoke(live, now);
    return live.length;
  }
}
