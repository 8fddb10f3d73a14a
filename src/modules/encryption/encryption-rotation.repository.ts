import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { EncryptedColumnRef } from './encryption-registry.js';
import { CURRENT_ENVELOPE, type EnvelopeVersion, SUBJECT_BOUND } from './field-cipher.js';
import { QueryOwner } from '../../infrastructure/database/query-owner.js';

/** Who started a run: an admin through the API, or the rotation schedule. */
export type RotationStarter = 'admin' | 'schedule';

export interface RotationRun {
  id: string;
  targetKeyId: string;
  startedBy: RotationStarter;
  /** `v2` for every run started since ciphertexts are bound to their rows; `v1` for older runs. */
  targetEnvelope: EnvelopeVersion;
  status: 'running' | 'completed';
  cursors: Record<string, string>;
  rowsReencrypted: number;
  startedAt: Date;
  finishedAt: Date | null;
}

/** How many values of one column are in one envelope version under one key. */
export interface ValueCount {
  version: string;
  keyId: string;
  rows: number;
}

export interface StoredCiphertext {
  id: string;
  value: string;
  /** The data subject's id, for columns sealed per subject. */
  subject?: string;
}

const FIRST_ID = '00000000-0000-0000-0000-000000000000';
/** Transaction-scoped (PgBouncer in transaction mode keeps no session), so it goes with the commit. */
const ROTATION_LOCK_SQL = `SELECT pg_try_advisory_xact_lock(hashtextextended('compliance-kit:key-rotation', 0)) AS locked`;
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Rotation runs and the raw ciphertext reads and writes the re-encryption job needs. */
@QueryOwner()
@Injectable()
export class EncryptionRotationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in one transaction holding the rotation lock; `{ locked: false }` when another
   * process holds it, so two replicas never start a rotation at once.
   */
  async underRotationLock<T>(
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<{ locked: true; value: T } | { locked: false }> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = (await manager.query(ROTATION_LOCK_SQL)) as { locked: boolean }[];
      return locked ? { locked: true as const, value: await work(manager) } : { locked: false as const };
    });
  }

  async start(
    targetKeyId: string,
    startedBy: RotationStarter,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<RotationRun> {
    const [row] = await manager.query(
      `INSERT INTO encryption_rotations (target_key_id, started_by) VALUES ($1, $2) RETURNING *`,
      [targetKeyId, startedBy],
    );
    return toRun(row);
  }

  /** Since when `keyId` is the active key, if that was recorded. */
  async activatedAt(keyId: string, manager: EntityManager = this.dataSource.manager): Promise<Date | undefined> {
    const [row] = await manager.query(`SELECT activated_at FROM encryption_key_activations WHERE key_id = $1`, [keyId]);
    return row ? new Date(row.activated_at) : undefined;
  }

  /** Records that `keyId` is active since `at`; `replace: false` keeps an earlier record. */
  async recordActivation(
    keyId: string,
    at: Date,
    replace: boolean,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO encryption_key_activations (key_id, activated_at) VALUES ($1, $2)
       ON CONFLICT (key_id) DO ${replace ? 'UPDATE SET activated_at = EXCLUDED.activated_at' : 'NOTHING'}`,
      [keyId, at],
    );
  }

  async latestStartedBy(startedBy: RotationStarter): Promise<RotationRun | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT * FROM encryption_rotations WHERE started_by = $1 ORDER BY started_at DESC LIMIT 1`,
      [startedBy],
    );
    return row ? toRun(row) : undefined;
  }

  /** When the last rotation completed, if any has. */
  async lastCompletedAt(): Promise<Date | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT max(finished_at) AS at FROM encryption_rotations WHERE status = 'completed'`,
    );
    return row?.at ? new Date(row.at) : undefined;
  }

  async find(id: string): Promise<RotationRun | undefined> {
    const [row] = await this.dataSource.query(`SELECT * FROM encryption_rotations WHERE id = $1`, [id]);
    return row ? toRun(row) : undefined;
  }

  async latest(manager: EntityManager = this.dataSource.manager): Promise<RotationRun | undefined> {
    const [row] = await manager.query(`SELECT * FROM encryption_rotations ORDER BY started_at DESC LIMIT 1`);
    return row ? toRun(row) : undefined;
  }

  async running(manager: EntityManager = this.dataSource.manager): Promise<RotationRun | undefined> {
    const [row] = await manager.query(`SELECT * FROM encryption_rotations WHERE status = 'running'`);
    return row ? toRun(row) : undefined;
  }

  /** Whether a run that rewrote every value into `v2` has completed: from then on no `v1` value is legitimate. */
  async upgradeCompleted(): Promise<boolean> {
    const [row] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM encryption_rotations WHERE status = 'completed' AND target_envelope = 'v2') AS done`,
    );
    return Boolean(row?.done);
  }

  async complete(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE encryption_rotations SET status = 'completed', finished_at = now(), updated_at = now() WHERE id = $1`,
      [id],
    );
  }

  /**
   * Values per envelope version and key id in one encrypted column (read from the prefix, nothing
   * decrypted). Values under subject keys count under the key id `subject`, never a subject's id.
   */
  async countValues(ref: EncryptedColumnRef): Promise<ValueCount[]> {
    const column = quote(ref.column);
    const rows: { version: string; key_id: string; rows: number }[] = await this.dataSource.query(
      `SELECT split_part(${column}, ':', 1) AS version,
              CASE WHEN starts_with(${column}, '${SUBJECT_BOUND}:') THEN 'subject' ELSE split_part(${column}, ':', 2) END AS key_id,
              count(*)::int AS rows
         FROM ${quote(ref.table())} WHERE ${column} IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    return rows.map((r) => ({ version: r.version, keyId: r.key_id, rows: r.rows }));
  }

  /**
   * The next rows after the run's cursor whose value is not yet `v2` under the target key (runs
   * always write `v2`); for a per-subject column, whose value is not yet under its subject's key
   * (rotation rewraps subject keys instead of touching those values).
   */
  async nextBatch(run: RotationRun, ref: EncryptedColumnRef, size: number): Promise<StoredCiphertext[]> {
    const column = quote(ref.column);
    const subject = ref.subject ? `, ${quote(ref.subject.column)}::text AS subject` : '';
    const done = ref.subject ? `${SUBJECT_BOUND}:` : `${CURRENT_ENVELOPE}:${run.targetKeyId}:`;
    return this.dataSource.query(
      `SELECT id::text AS id, ${column} AS value${subject} FROM ${quote(ref.table())}
        WHERE id > $1 AND ${column} IS NOT NULL AND NOT starts_with(${column}, $2)
        ORDER BY id LIMIT $3`,
      [run.cursors[cursorKey(ref)] ?? FIRST_ID, done, size],
    );
  }

  /**
   * Writes re-encrypted values and advances the cursor in one transaction. A row changed since
   * it was read keeps its newer value (the update matches on the old ciphertext).
   */
  async saveBatch(
    run: RotationRun,
    ref: EncryptedColumnRef,
    rows: { id: string; before: string; after: string }[],
    cursor: string,
  ): Promise<void> {
    const column = quote(ref.column);
    await this.dataSource.transaction(async (manager) => {
      if (rows.length) {
        await manager.query(
          `UPDATE ${quote(ref.table())} t SET ${column} = v.after
             FROM unnest($1::uuid[], $2::text[], $3::text[]) AS v(id, before, after)
            WHERE t.id = v.id AND t.${column} = v.before`,
          [rows.map((r) => r.id), rows.map((r) => r.before), rows.map((r) => r.after)],
        );
      }
      await manager.query(
        `UPDATE encryption_rotations
            SET cursors = jsonb_set(cursors, ARRAY[$2::text], to_jsonb($3::text)),
                rows_reencrypted = rows_reencrypted + $4, updated_at = now()
          WHERE id = $1`,
        [run.id, cursorKey(ref), cursor, rows.length],
      );
    });
    run.cursors[cursorKey(ref)] = cursor;
    run.rowsReencrypted += rows.length;
  }
}

export const cursorKey = (ref: EncryptedColumnRef) => `${ref.table()}.${ref.column}`;

function toRun(row: Record<string, unknown>): RotationRun {
  return {
    id: row.id as string,
    targetKeyId: row.target_key_id as string,
    startedBy: (row.started_by as RotationStarter | undefined) ?? 'admin',
    targetEnvelope: (row.target_envelope as EnvelopeVersion | undefined) ?? 'v1',
    status: row.status as RotationRun['status'],
    cursors: (row.cursors as Record<string, string>) ?? {},
    rowsReencrypted: Number(row.rows_reencrypted),
    startedAt: row.started_at as Date,
    finishedAt: (row.finished_at as Date | null) ?? null,
  };
}
