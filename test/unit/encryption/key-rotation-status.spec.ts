import '../../../src/modules/users/entities/user.entity';
import { encryptionRegistry } from '../../../src/modules/encryption/encryption-registry';
import type {
  EncryptionRotationRepository,
  RotationRun,
} from '../../../src/modules/encryption/encryption-rotation.repository';
import type { ReencryptionJob } from '../../../src/modules/encryption/jobs/reencryption.job';
import { KeyRotationService } from '../../../src/modules/encryption/key-rotation.service';
import { aCipher } from '../../support/builders/keyring.builder';

/** A rotation whose last batch commits while a status report is being counted. */
class RotationFinishingDuringReport {
  private status: RotationRun['status'] = 'running';

  async latest(): Promise<RotationRun> {
    return {
      id: 'r1',
      targetKeyId: 'k2',
      status: this.status,
      cursors: {},
      rowsReencrypted: 0,
      startedAt: new Date(),
      finishedAt: null,
    };
  }

  async countByKey(): Promise<Record<string, number>> {
    const counts: Record<string, number> = this.status === 'running' ? { dev1: 1, k2: 9 } : { k2: 10 };
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
    );
    const columns = encryptionRegistry.columns.length;
    expect(columns).toBeGreaterThan(1);

    const during = await service.status();
    expect(during.rotation?.status).toBe('running');
    expect(during.rowsByKey).toEqual({ dev1: 1, k2: 9 + 10 * (columns - 1) });

    const after = await service.status();
    expect(after.rotation?.status).toBe('completed');
    expect(after.rowsByKey).toEqual({ k2: 10 * columns });
  });
});
