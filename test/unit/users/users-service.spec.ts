import type { SecurityEventSink } from '../../../src/common/security-events';
import type { TransactionContext } from '../../../src/infrastructure/database/transaction-context';
import type { OutboxWriter } from '../../../src/infrastructure/outbox/outbox-writer';
import { AuditScope } from '../../../src/modules/audit/audit-scope';
import type { SubjectKeys } from '../../../src/modules/encryption/subject-keys';
import { PasswordHasher } from '../../../src/modules/users/password-hasher';
import type { UsersRepository } from '../../../src/modules/users/users.repository';
import { UsersService } from '../../../src/modules/users/users.service';

describe('UsersService.verifyCredentials', () => {
  const events: SecurityEventSink = { record: async () => undefined };

  it('still runs a scrypt verification when no user has the email', async () => {
    const hasher = new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 });
    const verify = jest.spyOn(hasher, 'verify');
    const repository = { findActiveByEmail: async () => null } as unknown as UsersRepository;
    const service = new UsersService(
      repository,
      hasher,
      events,
      new AuditScope(),
      {} as TransactionContext,
      {} as OutboxWriter,
      {} as SubjectKeys,
    );

    expect(await service.verifyCredentials('nobody@example.com', 'guess')).toBeNull();
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0][1]).toMatch(/^scrypt\$/);
  });
});
