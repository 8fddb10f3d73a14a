import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ProblemException } from '../../common/problem.js';
import { encryptionRegistry } from './encryption-registry.js';
import { EncryptionRotationRepository, RotationRun, type ValueCount } from './encryption-rotation.repository.js';
import { FieldCipher, SUBJECT_BOUND } from './field-cipher.js';
import { KEY_BYTES } from './keyring.js';
import { KEYRING_SOURCE } from './encryption.tokens.js';
import { type KeyringSource, saveKeyringFile } from './keyring.loader.js';
import { ReencryptionJob } from './jobs/reencryption.job.js';
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
    private readonly subjectKeys: SubjectKeys,
  ) {}

  /**
   * The last rotation's key stays active across restarts; a run stopped midway resumes; once an
   * upgrade run has completed, `v1` values are refused (none is left that the app wrote).
   */
  async onApplicationBootstrap(): Promise<void> {
    if (await this.rotations.upgradeCompleted()) this.cipher.acceptLegacy = false;
    const latest = await this.rotations.latest();
    if (latest && this.cipher.keyring.has(latest.targetKeyId)) this.cipher.keyring.activate(latest.targetKeyId);
    if (latest && !this.cipher.keyring.has(latest.targetKeyId)) {
      this.logger.error(`key ${latest.targetKeyId} of the last rotation is missing from the keyring`);
    }
    if (latest?.status === 'running') await this.job.enqueue(latest.id);
  }

  /** Activates `keyId` (adding a fresh key to a file-backed keyring when it is new) and starts re-encryption. */
  async rotate(keyId?: string): Promise<RotationRun> {
    if (await this.rotations.running()) {
      throw new ProblemException(409, 'rotation-in-progress', 'A key rotation is already running.');
    }
    const keyring = this.cipher.keyring;
    const target = keyId ?? `k${Date.now().toString(36)}`;
    if (!keyring.has(target)) {
      if (this.source.kind !== 'file') {
        throw new ProblemException(
          409,
          'key-not-configured',
          `Key ${target} is not in the keyring; add it to ENCRYPTION_KEYS and restart, then rotate.`,
        );
      }
      keyring.add(target, randomBytes(KEY_BYTES));
      saveKeyringFile(this.source.path, keyring);
    }
    const run = await this.rotations.start(target);
    keyring.activate(target);
    if (this.source.kind === 'file') saveKeyringFile(this.source.path, keyring);
    await this.job.enqueue(run.id);
    this.logger.log(`rotation ${run.id} to key ${target} started`);
    return run;
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
    keyring.remove(keyId);
    if (this.source.kind === 'file') saveKeyringFile(this.source.path, keyring);
    this.logger.log(`key ${keyId} retired`);
  }
}
