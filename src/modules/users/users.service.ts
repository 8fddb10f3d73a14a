import { Inject, Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../../common/auth/roles.js';
import { ProblemException } from '../../common/problem.js';
import type { RequestMeta } from '../../common/request-meta.js';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../common/security-events.js';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { OutboxWriter } from '../../infrastructure/outbox/outbox-writer.js';
import { auditDiff } from '../audit/audit-diff.js';
import { AuditScope } from '../audit/audit-scope.js';
import { SubjectKeys } from '../encryption/subject-keys.js';
import {
  CreateUserRequest,
  ListUsersQuery,
  UnreadableUserView,
  UpdateUserRequest,
  UserPage,
  UserView,
} from './dto/user.dto.js';
import { UserEntity } from './entities/user.entity.js';
import { PasswordHasher } from './password-hasher.js';
import { USER_CREATED, USER_UPDATED, userSnapshot } from './user-events.js';
import { isErased, toUserView, unreadableFields } from './user-view.mapper.js';
import { UsersRepository } from './users.repository.js';

const UNIQUE_VIOLATION = '23505';
/** Shown as `[encrypted]` in audit diffs: the PII columns, and the hash, which is no one's business. */
const PII_FIELDS = ['email', 'phone', 'ssn', 'address', 'displayName'];
const SECRET_FIELDS = ['passwordHash'];
const AUDITED_FIELDS = [...PII_FIELDS, ...SECRET_FIELDS, 'role', 'status'] as const;

function auditedState(user: UserEntity | null): Record<string, unknown> | null {
  if (!user) return null;
  return Object.fromEntries(AUDITED_FIELDS.map((field) => [field, user[field as keyof UserEntity]]));
}

type AccessChangeListener = (userId: string) => Promise<void>;

/** Whether a user's erasure has happened, and the blind index their email had (derived copies are keyed by it). */
export interface UserErasure {
  erasedNow: boolean;
  emailIndex?: string;
}

export const subjectErased = () => new ProblemException(410, 'subject-erased', "This user's personal data was erased.");

/** Users: creation, lookup, masking of PII and credential checks. */
@Injectable()
export class UsersService {
  private readonly accessChangeListeners: AccessChangeListener[] = [];

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    @Inject(SECURITY_EVENTS) private readonly securityEvents: SecurityEventSink,
    private readonly audit: AuditScope,
    private readonly transactions: TransactionContext,
    private readonly outbox: OutboxWriter,
    private readonly subjectKeys: SubjectKeys,
  ) {}

  /**
   * Called after a user's role, password or status changes (sessions revoke theirs), so this
   * module does not depend on the ones that react.
   */
  onAccessChanged(listener: AccessChangeListener): void {
    this.accessChangeListeners.push(listener);
  }

  async create(input: CreateUserRequest): Promise<UserEntity> {
    await this.assertEmailFree(input.email);
    const user = Object.assign(new UserEntity(), {
      email: input.email.trim(),
      phone: input.phone ?? null,
      ssn: input.ssn ?? null,
      address: input.address ?? null,
      displayName: input.displayName ?? null,
      role: input.role,
      status: 'active',
      passwordHash: await this.hasher.hash(input.password),
    });
    return this.describeChange(null, await this.saveAndAnnounce(user, USER_CREATED));
  }

  async get(id: string, viewer?: AuthenticatedUser, request?: RequestMeta): Promise<UserView> {
    const user = await this.require(id);
    if (isErased(user)) throw subjectErased();
    const unreadable = await this.reportUnreadable(user, request);
    if (unreadable) throw new ProblemException(422, 'record-unreadable', unreadable.problem.detail);
    return toUserView(user, viewer);
  }

  async list(query: ListUsersQuery, viewer?: AuthenticatedUser, request?: RequestMeta): Promise<UserPage> {
    const { items, total } = await this.users.list(query);
    const views: (UserView | UnreadableUserView)[] = [];
    for (const user of items) views.push((await this.reportUnreadable(user, request)) ?? toUserView(user, viewer));
    return { items: views, page: query.page, pageSize: query.pageSize, total };
  }

  /**
   * A field whose stored value cannot be decrypted does not stop a change of another: it is
   * written back untouched (and reported as a security event), unless this change replaces it.
   */
  async update(id: string, input: UpdateUserRequest, viewer?: AuthenticatedUser): Promise<UserEntity> {
    const user = await this.require(id);
    if (isErased(user)) throw subjectErased();
    await this.reportUnreadable(user);
    const before = auditedState(user);
    const roleChanged = input.role !== undefined && input.role !== user.role;
    if (input.role !== undefined && viewer?.role !== 'admin') {
      throw new ProblemException(403, 'forbidden', 'Only an admin can change a role.');
    }
    if (input.email !== undefined) {
      const holder = await this.users.findActiveByEmail(input.email);
      if (holder && holder.id !== user.id) this.duplicateEmail();
      user.email = input.email.trim();
    }
    for (const field of ['phone', 'ssn', 'address', 'displayName', 'role'] as const) {
      if (input[field] !== undefined) Object.assign(user, { [field]: input[field] });
    }
    if (input.password !== undefined) user.passwordHash = await this.hasher.hash(input.password);
    const saved = await this.saveAndAnnounce(user, USER_UPDATED);
    if (roleChanged || input.password !== undefined) await this.accessChanged(id);
    return this.describeChange(before, saved);
  }

  async setStatus(id: string, status: UserEntity['status']): Promise<UserEntity> {
    const user = await this.require(id);
    const before = auditedState(user);
    user.status = status;
    const saved = await this.saveAndAnnounce(user, USER_UPDATED);
    if (status !== 'active') await this.accessChanged(id);
    return this.describeChange(before, saved);
  }

  /** The user's profile as `viewer` may see it, `[erased]` fields included (a subject access export). */
  async profile(id: string, viewer: AuthenticatedUser): Promise<{ view: UserView; erased: boolean }> {
    const user = await this.require(id);
    return { view: toUserView(user, viewer), erased: isErased(user) };
  }

  /** 404 for an unknown user, 409 for the last active admin; whether the user is already erased. */
  async checkErasable(id: string): Promise<{ alreadyErased: boolean }> {
    const user = await this.require(id);
    if (await this.subjectKeys.isErased(id)) return { alreadyErased: true };
    if (user.role === 'admin' && user.status === 'active' && (await this.users.countActiveAdmins()) <= 1) {
      throw new ProblemException(409, 'last-admin', 'The last active admin cannot be erased.');
    }
    return { alreadyErased: false };
  }

  /**
   * Erases a data subject in the caller's transaction: every PII column is first resealed under
   * the subject's key (a value from before subject keys is under the keyring, which stays), the
   * account is disabled, then the key is destroyed and the email's blind index replaced by
   * `erased:<id>`. Idempotent; a subject with no user row (restored from an older backup) gets a
   * tombstone key, so none is ever made for it.
   */
  async erase(id: string): Promise<UserErasure> {
    const user = await this.users.findById(id);
    const emailIndex = user?.emailIndex;
    if (user && !(await this.subjectKeys.isErased(id))) {
      user.status = 'disabled';
      await this.saveAndAnnounce(user, USER_UPDATED);
    }
    const erasedNow = await this.subjectKeys.erase(id);
    if (user) {
      await this.users.markErased(id);
      await this.accessChanged(id);
    }
    return { erasedNow, emailIndex: emailIndex?.startsWith('erased:') ? undefined : emailIndex };
  }

  /** Always runs one scrypt verification, whether or not the account exists. */
  async verifyCredentials(email: string, password: string): Promise<UserEntity | null> {
    const user = await this.users.findActiveByEmail(email);
    if (!user) return this.hasher.verifyNothing(password).then(() => null);
    return (await this.hasher.verify(password, user.passwordHash)) ? user : null;
  }

  findActiveByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findActiveByEmail(email);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findById(id);
  }

  count(): Promise<number> {
    return this.users.count();
  }

  /** Tells the audit trail what this request changed; PII old and new values only encrypted, the password hash not at all. */
  private describeChange(before: Record<string, unknown> | null, user: UserEntity): UserEntity {
    this.audit.describe({
      resourceType: 'user',
      resourceId: user.id,
      ...auditDiff(before, auditedState(user), { encrypted: PII_FIELDS, secret: SECRET_FIELDS }),
    });
    return user;
  }

  private async accessChanged(userId: string): Promise<void> {
    for (const listener of this.accessChangeListeners) await listener(userId);
  }

  private async require(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw new ProblemException(404, 'not-found', 'No such user.');
    return user;
  }

  private async assertEmailFree(email: string): Promise<void> {
    if (await this.users.findActiveByEmail(email)) this.duplicateEmail();
  }

  /** The save and its outbox event commit together, in the caller's transaction or one of their own. */
  private saveAndAnnounce(user: UserEntity, type: typeof USER_CREATED | typeof USER_UPDATED): Promise<UserEntity> {
    return this.transactions.run(async () => {
      const saved = await this.saveUnique(user);
      await this.outbox.append(type, saved.id, { user: userSnapshot(saved) });
      return saved;
    });
  }

  private async saveUnique(user: UserEntity): Promise<UserEntity> {
    try {
      return await this.users.save(user);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) this.duplicateEmail();
      throw error;
    }
  }

  private duplicateEmail(): never {
    throw new ProblemException(409, 'duplicate-email', 'An active user already has this email.');
  }

  /** Records a security event per unreadable record and returns its per-record problem. */
  private async reportUnreadable(user: UserEntity, request?: RequestMeta): Promise<UnreadableUserView | undefined> {
    const fields = unreadableFields(user);
    if (!fields.length) return undefined;
    await this.securityEvents.record({
      action: 'encryption.tampered',
      severity: 'critical',
      outcome: 'failure',
      resourceType: 'users',
      resourceId: user.id,
      request,
      details: {
        fields: fields.map((f) => ({ field: f.field, reason: f.value.error.reason, keyId: f.value.error.keyId })),
      },
    });
    return {
      id: user.id,
      problem: { type: '/problems/record-unreadable', status: 422, detail: 'The stored record cannot be decrypted.' },
    };
  }
}
