import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ProblemException } from '../../common/problem.js';
import { encryptionRegistry } from './encryption-registry.js';
import { EncryptionRotationRepository, RotationRun } from './encryption-rotation.repository.js';
import { FieldCipher } from './field-cipher.js';
import { KEY_BYTES } from './keyring.js';
import { KEYRING_SOURCE } from './encryption.tokens.js';
import { type KeyringSource, saveKeyringFile } from './keyring.loader.js';
import { ReencryptionJob } from './jobs/reencryption.job.js';

export interface ColumnStatus {
  table: string;
  column: string;
  rowsByKey: Record<string, number>;
}

export interface EncryptionStatus {
  activeKeyId: string;
  keyIds: string[];
  columns: ColumnStatus[];
  rowsByKey: Record<string, number>;
  rotation?: RotationRun;
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
  ) {}

  /** The last rotation's key stays active across restarts; a run stopped midway resumes. */
  async onApplicationBootstrap(): Promise<void> {
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
    const rowsByKey: Record<string, number> = {};
    for (const ref of encryptionRegistry.columns) {
      const counts = await this.rotations.countByKey(ref);
      columns.push({ table: ref.table(), column: ref.column, rowsByKey: counts });
      for (const [key, rows] of Object.entries(counts)) rowsByKey[key] = (rowsByKey[key] ?? 0) + rows;
    }
    return {
      activeKeyId: this.cipher.keyring.activeId,
      keyIds: this.cipher.keyring.ids,
      columns,
      rowsByKey,
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
