import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { EncryptionClock } from './encryption-clock.js';
import { EncryptionRotationRepository, type RotationRun } from './encryption-rotation.repository.js';
import { FieldCipher } from './field-cipher.js';

const DAY_MS = 86_400_000;

export interface RotationScheduleState {
  intervalDays: number;
  /** Since when the active key is active (rotation start, or when the schedule first saw it). */
  activeKeySince: Date;
  /** When the schedule rotates next: `activeKeySince` plus the interval (a past time means at the next check). */
  nextRotationAt: Date;
  /** The last run the schedule started. */
  lastRun?: RotationRun;
}

/** When the active key is due for rotation under ENCRYPTION_ROTATION_INTERVAL_DAYS. */
@Injectable()
export class RotationSchedule {
  constructor(
    private readonly config: AppConfig,
    private readonly rotations: EncryptionRotationRepository,
    private readonly cipher: FieldCipher,
    private readonly clock: EncryptionClock,
  ) {}

  get enabled(): boolean {
    return this.intervalDays > 0;
  }

  get intervalDays(): number {
    return this.config.encryption.rotationIntervalDays;
  }

  now(): Date {
    return this.clock.now();
  }

  /** Keys activated before this time are due. */
  dueBefore(): Date {
    return new Date(this.clock.now().getTime() - this.intervalDays * DAY_MS);
  }

  /**
   * A key active before the schedule was turned on (or before this release) has no recorded
   * activation: its age counts from the first check, so turning the schedule on never rotates at once.
   */
  async recordBaseline(): Promise<void> {
    await this.rotations.recordActivation(this.cipher.keyring.activeId, this.clock.now(), false);
  }

  /** Read only (status and scrapes write nothing): before the first check, the key counts as active since now. */
  async activeKeySince(): Promise<Date> {
    return (await this.rotations.activatedAt(this.cipher.keyring.activeId)) ?? this.clock.now();
  }

  async state(): Promise<RotationScheduleState | undefined> {
    if (!this.enabled) return undefined;
    const activeKeySince = await this.activeKeySince();
    return {
      intervalDays: this.intervalDays,
      activeKeySince,
      nextRotationAt: new Date(activeKeySince.getTime() + this.intervalDays * DAY_MS),
      lastRun: await this.rotations.latestStartedBy('schedule'),
    };
  }
}
