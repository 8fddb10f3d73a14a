import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ProblemException } from '../../common/problem.js';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../common/security-events.js';
import { encryptionRegistry } from './encryption-registry.js';
import {
  EncryptionRotationRepository,
  RotationRun,
  type RotationStarter,
  type ValueCount,
} from './encryption-rotation.repository.js';
import { FieldCipher, SUBJECT_BOUND } from './field-cipher.js';
import { KEY_BYTES } from './keyring.js';
import { KEYRING_SOURCE } from './encryption.tokens.js';
import { type KeyringSource, mergeKeyringFile, saveKeyringFile } from './keyring.loader.js';
import { ReencryptionJob } from './jobs/reencryption.job.js';
import { RotationSchedule, type RotationScheduleState } from './rotation-schedule.js';
import { SubjectKeys } from './subject-keys.js';

/** Value counts by key id, by envelope version, and by version then key id. */
export interface ValueCounts {
  rowsByKey: Record<string, number>;
  rowsByVersion: Record<string, number>;
  rowsByVersionAndKey: Record<string, Record<string, number>>;
}

export interface ColumnStatus extends ValueCounts {
  table: string;
  column: string;
}

/** How far personal data is sealed under subject keys (per-subject columns only). */
export interface SubjectKeyCoverage {
  activeKeys: number;
  erasedKeys: number;
  /** Values of per-subject columns sealed under their subject's key. */
  sealedValues: number;
  /** Values of per-subject columns still under the keyring (a rotation run moves them). */
  pendingValues: number;
}

export interface EncryptionStatus extends ValueCounts {
  activeKeyId: string;
  keyIds: string[];
  /** Whether `v1` values (bound to their column only) are still read; false once an upgrade run completed. */
  legacyEnvelopeAccepted: boolean;
  columns: ColumnStatus[];
  subjectKeys: SubjectKeyCoverage;
  rotation?: RotationRun;
  /** Absent while ENCRYPTION_ROTATION_INTERVAL_DAYS is 0. */
  schedule?: RotationScheduleState;
}

export interface RotationRequest {
  /** Key to activate; a new random one is generated when absent or unknown (file-backed keyrings only). */
  keyId?: string;
  startedBy: RotationStarter;
  /** Start only if the active key is active since before this time (the schedule's check, made under the lock). */
  activeBefore?: Date;
}

const noCounts = (): ValueCounts => ({ rowsByKey: {}, rowsByVersion: {}, rowsByVersionAndKey: {} });

function add(counts: ValueCounts, { version, keyId, rows }: ValueCount): void {
  counts.rowsByKey[keyId] = (counts.rowsByKey[keyId] ?? 0) + rows;
  counts.rowsByVersion[version] = (counts.rowsByVersion[version] ?? 0) + rows;
  const byKey = (counts.rowsByVersionAndKey[version] ??= {});
  byKey[keyId] = (byKey[keyId] ?? 0) + rows;
}

/** Rotate, report and retire data keys. Old keys stay readable until no row uses them. */
@Injectable()
export class KeyRotationService implements OnApplicationBootstrap {
  private readonly logger = new Logger('KeyRotation');

  constructor(
    private readonly cipher: FieldCipher,
    private readonly rotations: EncryptionRotationRepository,
    private readonly job: ReencryptionJob,
    @Inject(KEYRING_SOURCE) private readonly source: KeyringSource,
    private readonly schedule: RotationSchedule,
    @Inject(SECURITY_EVENTS) private readonly events: SecurityEventSink,
    private readonly subjectKeys: SubjectKeys,
  ) {}

  /**
   * The last rotation's key stays active across restarts; a run stopped midway resumes; once an
   * upgrade run has completed, `v1` values are refused (none is left that the app wrote).
   */
  async onApplicationBootstrap(): Promise<void> {
    if (await this.rotations.upgradeCompleted()) this.cipher.acceptLegacy = false;
    const latest = await this.follow();
    if (latest?.status === 'running') await this.job.enqueue(latest.id);
  }

  /**
   * Activates the last rotation's key, learning it from the keyring file first when another
   * replica sharing the file generated it.
   */
  async follow(): Promise<RotationRun | undefined> {
    const latest = await this.rotations.latest();
    const keyring = this.cipher.keyring;
    if (!latest || latest.targetKeyId === keyring.activeId) return latest;
    if (!keyring.has(latest.targetKeyId) && this.source.kind === 'file') mergeKeyringFile(this.source.path, keyring);
    if (keyring.has(latest.targetKeyId)) keyring.activate(latest.targetKeyId);
    else this.logger.error(`key ${latest.targetKeyId} of the last rotation is missing from the keyring`);
    return latest;
  }

  /**
   * The one way a rotation starts, by an admin or the schedule: under the rotation lock (one
   * at a time across replicas), adds the key to a file-backed keyring when new, records the run,
   * activates the key and starts re-encryption. Undefined when the schedule finds nothing due or
   * another replica rotating; an admin gets 409 then.
   */
  async rotate(request: RotationRequest & { startedBy: 'admin' }): Promise<RotationRun>;
  async rotate(request: RotationRequest): Promise<RotationRun | undefined>;
  async rotate(request: RotationRequest): Promise<RotationRun | undefined> {
    const outcome = await this.rotations.underRotationLock((manager) => this.begin(request, manager));
    if (!outcome.locked && request.startedBy === 'admin') throw this.inProgress();
    if (!outcome.locked || !outcome.value) return undefined;
    const { run, previousKeyId } = outcome.value;
    this.cipher.keyring.activate(run.targetKeyId);
    if (this.source.kind === 'file') saveKeyringFile(this.source.path, this.cipher.keyring);
    await this.job.enqueue(run.id);
    this.logger.log(`rotation ${run.id} to key ${run.targetKeyId} started by ${run.startedBy}`);
    // An admin's rotation is audited with the request; the schedule's is a system event.
    if (run.startedBy === 'schedule') {
      await this.events.record({
        action: 'encryption.key.rotated',
        severity: 'info',
        outcome: 'success',
        resourceType: 'encryption_rotations',
        resourceId: run.id,
        details: { startedBy: 'schedule', keyId: run.targetKeyId, previousKeyId },
      });
    }
    return run;
  }

  private async begin(
    request: RotationRequest,
    manager: EntityManager,
  ): Promise<{ run: RotationRun; previousKeyId: string } | undefined> {
    if (await this.rotations.running(manager)) {
      if (request.startedBy === 'admin') throw this.inProgress();
      return undefined;
    }
    const keyring = this.cipher.keyring;
    // Before writing the file: keys another replica sharing it added must not be lost.
    if (this.source.kind === 'file') mergeKeyringFile(this.source.path, keyring);
    // The database's word, not this replica's keyring: another may have rotated since it last followed.
    const active = (await this.rotations.latest(manager))?.targetKeyId ?? keyring.activeId;
    if (request.activeBefore) {
      const since = await this.rotations.activatedAt(active, manager);
      if (!since || since >= request.activeBefore) return undefined;
    }
    const target = request.keyId ?? `k${Date.now().toString(36)}`;
    if (!keyring.has(target)) {
      if (this.source.kind !== 'file') {
        throw new ProblemException(
          409,
          'key-not-configured',
          `Key ${target} is not in the keyring; add it to ENCRYPTION_KEYS and restart, then rotate.`,
        );
      }
      // Written before the run commits: no value is ever sealed under a key the file lacks.
      keyring.add(target, randomBytes(KEY_BYTES));
      saveKeyringFile(this.source.path, keyring);
    }
    const run = await this.rotations.start(target, request.startedBy, manager);
    if (target !== active) await this.rotations.recordActivation(target, this.schedule.now(), true, manager);
    return { run, previousKeyId: active };
  }

  private inProgress(): ProblemException {
    return new ProblemException(409, 'rotation-in-progress', 'A key rotation is already running.');
  }

  /**
   * The run is read before the counts, so a report that says `completed` counts the values as they
   * are after completion, never one the job was about to re-encrypt.
   */
  async status(): Promise<EncryptionStatus> {
    const rotation = await this.rotations.latest();
    const columns: ColumnStatus[] = [];
    const total = noCounts();
    const keys = await this.subjectKeys.counts();
    const subjectKeys: SubjectKeyCoverage = {
      activeKeys: keys.active,
      erasedKeys: keys.erased,
      sealedValues: 0,
      pendingValues: 0,
    };
    for (const ref of encryptionRegistry.columns) {
      const column: ColumnStatus = { table: ref.table(), column: ref.column, ...noCounts() };
      for (const count of await this.rotations.countValues(ref)) {
        add(column, count);
        add(total, count);
        if (ref.subject && count.version === SUBJECT_BOUND) subjectKeys.sealedValues += count.rows;
        else if (ref.subject) subjectKeys.pendingValues += count.rows;
      }
      columns.push(column);
    }
    return {
      activeKeyId: this.cipher.keyring.activeId,
      keyIds: this.cipher.keyring.ids,
      legacyEnvelopeAccepted: this.cipher.acceptLegacy,
      columns,
      ...total,
      subjectKeys,
      rotation,
      schedule: await this.schedule.state(),
    };
  }

  async retire(keyId: string): Promise<void> {
    const keyring = this.cipher.keyring;
    if (!keyring.has(keyId)) throw new ProblemException(404, 'key-not-found', `Key ${keyId} is not in the keyring.`);
    if (keyId === keyring.activeId) {
      throw new ProblemException(409, 'key-in-use', `Key ${keyId} is the active key.`);
    }
    const { rowsByKey } = await this.status();
    if (rowsByKey[keyId]) {
      throw new ProblemException(409, 'key-in-use', `Key ${keyId} still encrypts ${rowsByKey[keyId]} values.`, {
        rows: rowsByKey[keyId],
      });
    }
    if (this.source.kind === 'file') mergeKeyringFile(this.source.path, keyring);
    keyring.remove(keyId);
    if (this.source.kind === 'file') saveKeyringFile(this.source.path, keyring);
    this.logger.log(`key ${keyId} retired`);
  }
}
