import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { QueryOwner } from '../../infrastructure/database/query-owner.js';

/** Failed-login counters and locks in Postgres, outside the request transaction (a failed login rolls back). */
@QueryOwner()
@Injectable()
export class LoginFailureRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async lockedUntil(subjects: string[], now: Date): Promise<Date | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT max(locked_until) AS until FROM login_failures WHERE subject = ANY($1) AND locked_until > $2`,
      [subjects, now],
    );
    return row?.until ?? undefined;
  }

  /**
   * Counts one failure (a lock that has run out, or a quiet period as long as a lock, starts the
   * count afresh). Returns the lock end when this failure reached `max`.
   */
  async recordFailure(subject: string, now: Date, max: number, lockSeconds: number): Promise<Date | undefined> {
    await this.dataSource.query(
      `INSERT INTO login_failures (subject, failures, last_failed_at) VALUES ($1, 1, $2)
       ON CONFLICT (subject) DO UPDATE SET
         failures = CASE
           WHEN login_failures.locked_until <= $2 OR login_failures.last_failed_at < $2::timestamptz - make_interval(secs => $3::int)
           THEN 1 ELSE login_failures.failures + 1 END,
         locked_until = CASE WHEN login_failures.locked_until <= $2 THEN NULL ELSE login_failures.locked_until END,
         last_failed_at = $2`,
      [subject, now, lockSeconds],
    );
    const [rows]: [{ locked_until: Date }[], number] = await this.dataSource.query(
      `UPDATE login_failures SET locked_until = $2::timestamptz + make_interval(secs => $4::int)
        WHERE subject = $1 AND failures >= $3 AND locked_until IS NULL RETURNING locked_until`,
      [subject, now, max, lockSeconds],
    );
    return rows[0]?.locked_until;
  }

  async clear(subject: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_failures WHERE subject = $1`, [subject]);
  }

  async forget(subject: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_failures WHERE subject = $1`, [subject]);
  }
}
