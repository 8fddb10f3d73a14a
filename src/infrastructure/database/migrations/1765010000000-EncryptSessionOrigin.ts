import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Session IP, user agent and metadata become `v2` envelopes written by the app (a migration has
 * no keyring), and sessions get a re-authentication mark for device binding. Sessions last at most
 * a day, so existing ones are ended rather than encrypted in place: every live session is revoked
 * (users log in again), every row's plaintext IP, user agent and unkeyed fingerprint (a SHA-256 of
 * the user agent, which a list of user agents reverses) is wiped, and every row whose Redis entry
 * may still exist is marked pending purge, so the replicas' revocation sync deletes the plaintext
 * entries from Redis too. Per-IP login failure counters were keyed by the plaintext address; they
 * start afresh under its blind index.
 */
export class EncryptSessionOrigin1765010000000 implements MigrationInterface {
  name = 'EncryptSessionOrigin1765010000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await endEverySession(queryRunner);
    await queryRunner.query(`UPDATE session_store SET device_fingerprint = ''`);
    await queryRunner.query(`DROP INDEX idx_sessions_metadata`);
    await queryRunner.query(`
      ALTER TABLE session_store
        ALTER COLUMN metadata DROP DEFAULT,
        ALTER COLUMN metadata DROP NOT NULL,
        ALTER COLUMN metadata TYPE text USING NULL,
        ADD COLUMN reauth_required_at timestamptz`);
    await queryRunner.query(`DELETE FROM login_failures WHERE subject LIKE 'ip:%'`);
  }

  /** Releases before this one cannot read the envelopes: their sessions end too. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await endEverySession(queryRunner);
    await queryRunner.query(`
      ALTER TABLE session_store
        DROP COLUMN reauth_required_at,
        ALTER COLUMN metadata TYPE jsonb USING '{}'::jsonb,
        ALTER COLUMN metadata SET DEFAULT '{}'::jsonb,
        ALTER COLUMN metadata SET NOT NULL`);
    await queryRunner.query(`CREATE INDEX idx_sessions_metadata ON session_store USING gin (metadata)`);
    await queryRunner.query(`DELETE FROM login_failures WHERE subject LIKE 'ip:%'`);
  }
}

async function endEverySession(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`
    UPDATE session_store
       SET revoked_at = coalesce(revoked_at, now()),
           redis_purge_pending = redis_purge_pending OR absolute_expires_at > now(),
           ip = NULL,
           user_agent = NULL`);
}
