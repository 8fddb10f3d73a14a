import type { MigrationInterface, QueryRunner } from 'typeorm';
import { migrationCipher } from '../migration-cipher.js';

const BATCH = 1_000;
const AAD = 'users.display_name';

/**
 * The pattern for turning a plaintext column into an encrypted one (docs/encryption.md):
 * add a ciphertext column, backfill it in batches keyed by id, drop the plaintext, rename.
 * The AAD is the final `table.column`, so the renamed column decrypts through @EncryptedColumn.
 */
export class EncryptUserDisplayName1764100000001 implements MigrationInterface {
  name = 'EncryptUserDisplayName1764100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN display_name_encrypted text`);
    await backfill(queryRunner, 'display_name', 'display_name_encrypted', (value) =>
      migrationCipher().encrypt(value, AAD),
    );
    await queryRunner.query(`ALTER TABLE users DROP COLUMN display_name`);
    await queryRunner.query(`ALTER TABLE users RENAME COLUMN display_name_encrypted TO display_name`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN display_name_plain text`);
    await backfill(queryRunner, 'display_name', 'display_name_plain', (value) => migrationCipher().decrypt(value, AAD));
    await queryRunner.query(`ALTER TABLE users DROP COLUMN display_name`);
    await queryRunner.query(`ALTER TABLE users RENAME COLUMN display_name_plain TO display_name`);
  }
}

/** Copies `from` into `to` through `convert`, BATCH rows at a time in id order. */
async function backfill(
  queryRunner: QueryRunner,
  from: string,
  to: string,
  convert: (value: string) => string,
): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows: { id: string; value: string }[] = await queryRunner.query(
      `SELECT id, ${from} AS value FROM users WHERE id > $1 AND ${from} IS NOT NULL ORDER BY id LIMIT $2`,
      [after, BATCH],
    );
    if (!rows.length) return;
    await queryRunner.query(
      `UPDATE users u SET ${to} = v.value
         FROM unnest($1::uuid[], $2::text[]) AS v(id, value) WHERE u.id = v.id`,
      [rows.map((r) => r.id), rows.map((r) => convert(r.value))],
    );
    after = rows[rows.length - 1].id;
  }
}
