import type { TransactionContext } from '../../../src/infrastructure/database/transaction-context';
import type { AuditService } from '../../../src/modules/audit/audit.service';
import type { SubjectKeys } from '../../../src/modules/encryption/subject-keys';
import type { SessionsService } from '../../../src/modules/sessions/sessions.service';
import type { ErasureEntry, ErasureLedger } from '../../../src/modules/subjects/erasure-ledger';
import { SubjectErasureService } from '../../../src/modules/subjects/subject-erasure.service';
import type { UsersService } from '../../../src/modules/users/users.service';

const A = '3ba19932-225a-402f-8f4f-cd30a0d6fcb0';
const B = '0190f5e2-7c1a-7b3e-9d4f-2a6b8c0d1e2f';
const entry = (subjectId: string): ErasureEntry => ({ subjectId, erasedAt: '2026-12-03T10:00:00.000Z' });

function service(options: { entries: ErasureEntry[]; erased: string[]; failLookups?: number }) {
  const applied: string[] = [];
  const recorded: string[] = [];
  let failures = options.failLookups ?? 0;
  const seenPending: (number | undefined)[] = [];
  const subjectKeys = {
    erasedAmong: async (ids: string[]) => {
      if (failures-- > 0) throw new Error('connection refused');
      return new Set(ids.filter((id) => options.erased.includes(id)));
    },
  } as unknown as SubjectKeys;
  const users = {
    erase: async (id: string) => {
      seenPending.push(erasure.pendingErasures);
      applied.push(id);
      return { erasedNow: true, emailIndex: 'hmac' };
    },
  } as unknown as UsersService;
  const sessions = { forgetSubject: async () => undefined } as unknown as SessionsService;
  const audit = { record: async (input: { action: string }) => recorded.push(input.action) } as unknown as AuditService;
  const transactions = { run: (work: () => Promise<unknown>) => work() } as unknown as TransactionContext;
  const ledger = { read: () => options.entries } as unknown as ErasureLedger;
  const erasure = new SubjectErasureService(users, sessions, subjectKeys, audit, transactions, ledger);
  return { erasure, applied, recorded, seenPending: () => seenPending };
}

describe('SubjectErasureService at boot', () => {
  afterEach(() => jest.useRealTimers());

  it('re-applies only the ledger entries this database does not reflect, once each, counting down', async () => {
    const s = service({ entries: [entry(A), entry(B), entry(A)], erased: [B] });
    expect(s.erasure.pendingErasures).toBeUndefined();
    await s.erasure.onApplicationBootstrap();
    expect(s.applied).toEqual([A]);
    expect(s.seenPending()).toEqual([1]);
    expect(s.recorded).toEqual(['subject.erasure.reapplied']);
    expect(s.erasure.pendingErasures).toBe(0);
  });

  it('stays pending while the database cannot be asked, and retries until it can', async () => {
    jest.useFakeTimers();
    const s = service({ entries: [entry(A)], erased: [], failLookups: 1 });
    await s.erasure.onApplicationBootstrap();
    expect(s.erasure.pendingErasures).toBe(Number.POSITIVE_INFINITY);
    expect(s.applied).toEqual([]);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(s.applied).toEqual([A]);
    expect(s.erasure.pendingErasures).toBe(0);
    s.erasure.onApplicationShutdown();
  });
});
