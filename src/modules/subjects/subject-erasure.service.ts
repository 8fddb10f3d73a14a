import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AuthenticatedUser } from '../../common/auth/roles.js';
import type { RequestMeta } from '../../common/request-meta.js';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { AuditService } from '../audit/audit.service.js';
import { SubjectKeys } from '../encryption/subject-keys.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UsersService } from '../users/users.service.js';
import { ErasureLedger } from './erasure-ledger.js';

export interface ErasureResult {
  subjectId: string;
  erasedNow: boolean;
}

/** Ledger entries checked against the database per query while re-applying. */
const REPLAY_BATCH = 500;
const REPLAY_RETRY_MS = 5_000;

/**
 * Erasure by crypto-shredding: the subject's key is destroyed, so every value sealed under it (user
 * columns, audit details, in any backup) is noise; derived copies (sessions in Redis and Postgres,
 * the failed-login counter, the key cache) go too. The audit trail keeps its ciphertext, so its
 * chain still verifies. Every erasure is in the ledger first; at boot the ledger is re-applied
 * (a restored backup may predate some), and readiness waits for it.
 */
@Injectable()
export class SubjectErasureService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SubjectErasure');
  private pending: number | undefined;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly subjectKeys: SubjectKeys,
    private readonly audit: AuditService,
    private readonly transactions: TransactionContext,
    private readonly ledger: ErasureLedger,
  ) {}

  /** Ledger entries not yet applied to this database; undefined until the first check. */
  get pendingErasures(): number | undefined {
    return this.pending;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.replay();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.retry);
  }

  /** 404 unknown, 409 last active admin; a subject erased before answers `erasedNow: false`. */
  async erase(
    subjectId: string,
    reason: string,
    actor: AuthenticatedUser,
    request: RequestMeta,
  ): Promise<ErasureResult> {
    const { alreadyErased } = await this.users.checkErasable(subjectId);
    if (alreadyErased) return { subjectId, erasedNow: false };
    this.ledger.append({ subjectId, erasedAt: new Date().toISOString() });
    await this.apply(subjectId);
    await this.audit.record({
      action: 'subject.erased',
      actorId: actor.id,
      resourceType: 'user',
      resourceId: subjectId,
      severity: 'warning',
      request,
      details: { reason },
    });
    return { subjectId, erasedNow: true };
  }

  private async apply(subjectId: string): Promise<void> {
    const { emailIndex } = await this.users.erase(subjectId);
    await this.sessions.forgetSubject(subjectId, emailIndex);
  }

  /** Applies every ledger entry this database does not reflect; on failure retries, readiness staying 503. */
  private async replay(): Promise<void> {
    try {
      const ids = [...new Set(this.ledger.read().map((entry) => entry.subjectId))];
      const missing: string[] = [];
      for (let start = 0; start < ids.length; start += REPLAY_BATCH) {
        const batch = ids.slice(start, start + REPLAY_BATCH);
        const erased = await this.subjectKeys.erasedAmong(batch);
        missing.push(...batch.filter((id) => !erased.has(id)));
      }
      this.pending = missing.length;
      for (const subjectId of missing) {
        await this.transactions.run(async () => {
          await this.apply(subjectId);
          await this.audit.record({
            action: 'subject.erasure.reapplied',
            resourceType: 'user',
            resourceId: subjectId,
            severity: 'warning',
            details: { source: 'erasure-ledger' },
          });
        });
        this.pending -= 1;
      }
      if (missing.length) this.logger.warn(`re-applied ${missing.length} erasure(s) from the ledger`);
    } catch (error) {
      this.logger.error(`erasure ledger not applied yet (${(error as Error).message}); retrying`);
      this.pending ??= Number.POSITIVE_INFINITY;
      this.retry = setTimeout(() => void this.replay(), REPLAY_RETRY_MS);
    }
  }
}
