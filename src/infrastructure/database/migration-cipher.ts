/** The cell a row-bound value belongs to: it opens in that table, column and row only. */
export interface MigrationRow {
  table: string;
  column: string;
  id: string;
}

/**
 * What a migration that writes or reads encrypted columns needs of the app's cipher: row-bound
 * values (what new migrations write) and the column-bound `v1` of older ones. TypeORM builds
 * migrations itself, outside Nest's container, so the module that owns the keyring registers its
 * cipher here when it provides MIGRATION_CIPHER, and the database module injects that token
 * before it runs any migration.
 */
export interface MigrationCipher {
  encryptRow(plaintext: string, row: MigrationRow): string;
  decryptRow(stored: string, row: MigrationRow): string;
  encrypt(plaintext: string, aad: string): string;
  decrypt(stored: string, aad: string): string;
}

export const MIGRATION_CIPHER = Symbol('MIGRATION_CIPHER');

let registered: MigrationCipher | undefined;

export function useMigrationCipher(cipher: MigrationCipher): MigrationCipher {
  registered = cipher;
  return cipher;
}

export function migrationCipher(): MigrationCipher {
  if (!registered) throw new Error('no cipher for migrations: the encryption module is not loaded');
  return registered;
}
