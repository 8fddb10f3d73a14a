import '../../../src/modules/users/entities/user.entity';
import { encryptionRegistry } from '../../../src/modules/encryption/encryption-registry';
import type {
  EncryptionRotationRepository,
  RotationRun,
  ValueCount,
} from '../../../src/modules/encryption/encryption-rotation.repository';
import type { ReencryptionJob } from '../../../src/modules/encryption/jobs/reencryption.job';
import type { SubjectKeys } from '../../../src/modules/encryption/subject-keys';
import { KeyRotationService } from '../../../src/modules/encryption/key-rotation.service';
import type { RotationSchedule } from '../../../src/modules/encryption/rotation-schedule';
import { LoggingSecurityEventSink } from '../../../src/common/security-events';
import { aCipher } from '../../support/builders/keyring.builder';

/** A rotation whose last batch commits while a status report is being counted. */
class RotationFinishingDuringReport {
  private status: RotationRun['status'] = 'running';

  async latest(): Promise<RotationRun> {
    return {
      id: 'r1',
      targetKeyId: 'k2',
      startedBy: 'admin',
      targetEnvelope: 'v2',
      status: this.status,
      cursors: {},
      rowsReencrypted: 0,
      startedAt: new Date(),
      finishedAt: null,
    };
  }

  async countValues(): Promise<ValueCount[]> {
    const counts: ValueCount[] =
      this.status === 'running'
        ? [
            { version: 'v1', keyId: 'dev1', rows: 1 },
            { version: 'v2', keyId: 'k2', rows: 9 },
          ]
        : [{ version: 'v2', keyId: 'k2', rows: 10 }];
    this.status = 'completed';
    return counts;
  }
}

describe('KeyRotationService.status', () => {
  it('never reports a completed rotation next to values still on the old key', async () => {
    const service = new KeyRotationService(
      aCipher('dev1', 'k2'),
      new RotationFinishingDuringReport() as unknown as EncryptionRotationRepository,
      {} as ReencryptionJob,
      { kind: 'file', path: '/nonexistent' },
      { state: async () => undefined } as unknown as RotationSchedule,
      new LoggingSecurityEventSink(),
      { counts: async () => ({ active: 0, erased: 0 }) } as unknown as SubjectKeys,
    );
    const columns = encryptionRegistry.columns.length;
    expect(columns).toBeGreaterThan(1);

    const during = await service.status();
    expect(during.rotation?.status).toBe('running');
    expect(during.rowsByKey).toEqual({ dev1: 1, k2: 9 + 10 * (columns - 1) });
    expect(during.rowsByVersion).toEqual({ v1: 1, v2: 9 + 10 * (columns - 1) });
    expect(during.rowsByVersionAndKey).toEqual({ v1: { dev1: 1 }, v2: { k2: 9 + 10 * (columns - 1) } });
    expect(during.columns[0]).toMatchObject({ rowsByVersion: { v1: 1, v2: 9 } });

    const after = await service.status();
    expect(after.rotation?.status).toBe('completed');
    expect(after.rowsByKey).toEqual({ k2: 10 * columns });
    expect(after.rowsByVersion).toEqual({ v2: 10 * columns });
  });
});
