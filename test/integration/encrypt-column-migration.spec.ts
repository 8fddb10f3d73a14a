import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { validateEnvironment } from '../../src/config/environment';
import { buildDataSourceOptions } from '../../src/infrastructure/database/data-source-options';
import { CreateServiceInstances1764000000000 } from '../../src/infrastructure/database/migrations/1764000000000-CreateServiceInstances';
import { CreateUsers1764100000000 } from '../../src/infrastructure/database/migrations/1764100000000-CreateUsers';
import { EncryptUserDisplayName1764100000001 } from '../../src/infrastructure/database/migrations/1764100000001-EncryptUserDisplayName';
import { useMigrationCipher } from '../../src/infrastructure/database/migration-cipher';
import { aCipher } from '../support/builders/keyring.builder';
import { createTestDatabase, TestDatabase } from '../support/database';

describe('plaintext column to encrypted column migration', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const cipher = aCipher('k1');
  const ROWS = 2_500;

  beforeAll(async () => {
    useMigrationCipher(cipher);
    db = await createTestDatabase();
    const config = new AppConfig(validateEnvironment({ DATABASE_URL: db.url }));
    dataSource = await new DataSource({
      ...buildDataSourceOptions(config.database, db.url),
      migrations: [CreateServiceInstances1764000000000, CreateUsers1764100000000],
      migrationsRun: false,
    }).initialize();
    await dataSource.runMigrations();
    await db.query(
      `INSERT INTO users (email, email_index, display_name, role, password_hash)
       SELECT 'e' || n, 'i' || n, CASE WHEN n % 10 = 0 THEN NULL ELSE 'Name ' || n END, 'analyst', 'h'
         FROM generate_series(1, $1::int) AS n`,
      [ROWS],
    );
    dataSource.migrations.push(new EncryptUserDisplayName1764100000001());
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const names = () =>
    db.query<{ email: string; display_name: string | null }>('SELECT email, display_name FROM users ORDER BY email');

  it('encrypts every existing value in batches, keeps nulls, and reverts to the same plaintext', async () => {
    const before = await names();
    await dataSource.runMigrations();
    const encrypted = await names();
    expect(encrypted.filter((r) => r.display_name === null)).toHaveLength(ROWS / 10);
    for (const [i, row] of encrypted.entries()) {
      if (before[i].display_name === null) continue;
      expect(row.display_name).toMatch(/^v1:k1:/);
      expect(cipher.decrypt(row.display_name as string, 'users.display_name')).toBe(before[i].display_name);
    }
    await dataSource.undoLastMigration();
    expect(await names()).toEqual(before);
  });
});
