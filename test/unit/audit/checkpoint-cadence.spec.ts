import type { AppConfig } from '../../../src/config/app-config';
import type { AuditCheckpoints } from '../../../src/modules/audit/checkpoints/audit-checkpoints';
import { CheckpointCadence } from '../../../src/modules/audit/checkpoints/checkpoint-cadence';

describe('CheckpointCadence', () => {
  const setup = (everyEvents: number) => {
    let release: () => void = () => undefined;
    const writePeriodic = jest.fn(() => new Promise<void>((resolve) => (release = resolve)));
    const config = { audit: { checkpointEveryEvents: everyEvents } } as unknown as AppConfig;
    const cadence = new CheckpointCadence(config, { writePeriodic } as unknown as AuditCheckpoints);
    return { cadence, writePeriodic, release: () => release() };
  };

  it('writes a checkpoint once AUDIT_CHECKPOINT_EVERY_EVENTS events have committed, not before', () => {
    const { cadence, writePeriodic } = setup(10_000);
    cadence.committed(9_999);
    expect(writePeriodic).not.toHaveBeenCalled();
    cadence.committed(1);
    expect(writePeriodic).toHaveBeenCalledTimes(1);
  });

  it('writes one at a time and counts afresh after each', async () => {
    const { cadence, writePeriodic, release } = setup(10);
    cadence.committed(10);
    cadence.committed(25);
    expect(writePeriodic).toHaveBeenCalledTimes(1);
    release();
    await cadence.beforeApplicationShutdown();
    cadence.committed(1);
    expect(writePeriodic).toHaveBeenCalledTimes(2);
  });

  it('survives a failed checkpoint', async () => {
    const writePeriodic = jest.fn().mockRejectedValue(new Error('database down'));
    const config = { audit: { checkpointEveryEvents: 1 } } as unknown as AppConfig;
    const cadence = new CheckpointCadence(config, { writePeriodic } as unknown as AuditCheckpoints);
    cadence.committed(1);
    await expect(cadence.beforeApplicationShutdown()).resolves.toBeUndefined();
    cadence.committed(1);
    expect(writePeriodic).toHaveBeenCalledTimes(2);
  });
});
