import { createSecretKey, randomBytes } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../../common/security-events.js';
import { JOB_QUEUE, type JobQueue } from '../../../infrastructure/queue/job-queue.js';
import { encryptionRegistry, EncryptedColumnRef } from '../encryption-registry.js';
import { EncryptionRotationRepository, RotationRun } from '../encryption-rotation.repository.js';
import { CURRENT_ENVELOPE, DecryptionError, FieldCipher, type RowIdentity, type SubjectKey } from '../field-cipher.js';
import { KEY_BYTES } from '../keyring.js';
import { SubjectKeys } from '../subject-keys.js';

export const REENCRYPTION_JOB = 'encryption.reencrypt';

/**
 * Re-encrypts every registered encrypted column onto the rotation's target key, batch by batch,
 * and into the row-bound `v2` envelope (a `v1` value is read with its column AAD, written bound to
 * its row): a rotation onto the active key is how old values are upgraded. Per-subject columns
 * move under their subject's key once; after that rotation rewraps `subject_keys` instead.
 * Progress lives in Postgres, so the job is resumable (a stopped run continues from its cursors)
 * and idempotent (rows already on the target key are never selected).
 */
@Injectable()
export class ReencryptionJob implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('KeyRotation');
  private stopping = false;
  private inFlight?: Promise<void>;

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(SECURITY_EVENTS) private readonly securityEvents: SecurityEventSink,
    private readonly rotations: EncryptionRotationRepository,
    private readonly cipher: FieldCipher,
    private readonly config: AppConfig,
    private readonly subjectKeys: SubjectKeys,
  ) {}

  onModuleInit(): void {
    this.queue.process<{ rotationId: string }>(REENCRYPTION_JOB, ({ data }) => {
      this.inFlight = this.run(data.rotationId);
      return this.inFlight;
    });
  }

  /** The run is already recorded in Postgres; if the queue is down it resumes at the next boot instead. */
  async enqueue(rotationId: string): Promise<void> {
    await this.queue
      .add(REENCRYPTION_JOB, { rotationId }, { jobId: `${rotationId}:${Date.now()}` })
      .catch((error: Error) =>
        this.logger.warn(`rotation ${rotationId} not started now (${error.message}); it resumes at next boot`),
      );
  }

  /** Lets the current batch finish, then stops; the run stays `running` and resumes at next boot. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.inFlight?.catch(() => undefined);
  }

  async run(rotationId: string): Promise<void> {
    const run = await this.rotations.find(rotationId);
    if (!run || run.status !== 'running') return;
    for (const ref of encryptionRegistry.columns) {
      if (!(await this.column(run, ref))) return;
    }
    await this.rotations.complete(run.id);
    if (run.targetEnvelope === CURRENT_ENVELOPE) this.cipher.acceptLegacy = false;
    this.logger.log(`rotation ${run.id} to key ${run.targetKeyId} completed (${run.rowsReencrypted} values)`);
  }

  /** Returns false when stopped before the column was finished. */
  private async column(run: RotationRun, ref: EncryptedColumnRef): Promise<boolean> {
    const table = ref.table();
    for (;;) {
      if (this.stopping) return false;
      const batch = await this.rotations.nextBatch(run, ref, this.config.encryption.rotationBatchSize);
      if (!batch.length) return true;
      const rows: { id: string; before: string; after: string }[] = [];
      const subjects = ref.subject
        ? await this.subjectKeys.forWritingMany(batch.map((row) => row.subject as string))
        : undefined;
      for (const row of batch) {
        try {
          const identity = { table, column: ref.column, id: row.id };
          const after = subjects
            ? this.sealForSubject(row.value, identity, row.subject as string, subjects.get(row.subject as string))
            : this.reencrypt(row.value, identity, run.targetKeyId);
          rows.push({ id: row.id, before: row.value, after });
        } catch (error) {
          if (!(error instanceof DecryptionError)) throw error;
          await this.securityEvents.record({
            action: 'encryption.tampered',
            severity: 'critical',
            outcome: 'failure',
            resourceType: ref.table(),
            resourceId: row.id,
            details: { column: ref.column, reason: error.reason, keyId: error.keyId, during: 'rotation' },
          });
        }
      }
      await this.rotations.saveBatch(run, ref, rows, batch[batch.length - 1].id);
    }
  }

  private reencrypt(value: string, row: RowIdentity, keyId: string): string {
    return this.cipher.encryptRow(this.cipher.decryptRow(value, row), row, keyId);
  }

  /**
   * A keyring value of an erased subject (from a backup restored before the ledger was re-applied)
   * must not stay readable: it is sealed under a key no one keeps, and reads as erased.
   */
  private sealForSubject(
    value: string,
    row: RowIdentity,
    subjectId: string,
    subject: SubjectKey | null | undefined,
  ): string {
    const plaintext = this.cipher.decryptRow(value, row);
    const key = subject ?? { subjectId, key: createSecretKey(randomBytes(KEY_BYTES)) };
    return this.cipher.encryptForSubject(plaintext, row, key);
  }
}
