import type { SessionRepository } from '../../../src/modules/sessions/session.repository';
import { PostgresSessionStore } from '../../../src/modules/sessions/stores/postgres-session.store';
import type { SessionReads } from '../../../src/modules/sessions/stores/session-reads';

describe('PostgresSessionStore', () => {
  it('drops what it revoked from the local cache before returning, not when the notification comes', async () => {
    const repository = {
      revoke: jest.fn().mockResolvedValue([{ tokenHash: 'h1', userId: 'u1' }]),
    } as unknown as SessionRepository;
    const reads = { forget: jest.fn() } as unknown as SessionReads;
    await new PostgresSessionStore(repository, reads).revoke([{ id: 's1' }, { id: 's2' }], new Date(0));
    expect(repository.revoke).toHaveBeenCalledWith(['s1', 's2'], new Date(0));
    expect(reads.forget).toHaveBeenCalledWith(['h1']);
  });
});
