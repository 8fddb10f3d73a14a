import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { AuthenticatedUser, Role } from '../../common/auth/roles.js';
import { ProblemException } from '../../common/problem.js';
import { AppConfig } from '../../config/app-config.js';
import { UsersService } from '../users/users.service.js';
import { CLOCK, type Clock } from './clock.js';
import { isLive, Session, slide } from './session.js';
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
}

/** Session lifecycle: create (with the per-user limit), validate with sliding expiry, list, revoke. */
@Injectable()
export class SessionsService implements OnModuleInit {
  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly sessions: SessionRepository,
    private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  /** A disabled user, or one whose role or password changed, keeps no session. */
  onModuleInit(): void {
    this.users.onAccessChanged(async (userId) => {
      await this.revokeAll(userId);
    });
  }

  async create(user: { id: string; role: Role }, origin: SessionOrigin): Promise<NewSession> {
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
      ...origin,
      metadata: { method: 'password' },
    };
    slide(session, now, idleTimeoutSeconds);
    await this.store.create(session);
    const live = await this.sessions.listLive(user.id, now);
    const surplus = live.slice(maxPerUser);
    if (surplus.length) await this.store.revoke(surplus, now);
    return { token, session };
  }

  /** The live session behind a bearer token (its expiry slid forward), or undefined. */
  async authenticate(token: string): Promise<Session | undefined> {
    const session = await this.store.find(hashToken(token));
    const now = this.clock.now();
    if (!session || !isLive(session, now)) return undefined;
    if (now.getTime() - session.lastActivityAt.getTime() >= TOUCH_GRANULARITY_MS) {
      slide(session, now, this.config.sessions.idleTimeoutSeconds);
      await this.store.touch(session);
    }
    return session;
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

  /** Revokes every live session of a user; returns how many. */
  async revokeAll(userId: string): Promise<number> {
    const now = this.clock.now();
    const live = await this.sessions.listLive(userId, now);
    await this.store.revoke(live, now);
    return live.length;
  }
}
