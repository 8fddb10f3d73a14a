import { DataSource } from 'typeorm';
import { TransactionContext } from '../../src/infrastructure/database/transaction-context';
import { createTestDatabase, TestDatabase } from './database';

/** A fresh database with one table made by `ddl`, and a TransactionContext on it, for database helpers' tests. */
export interface ProbeDatabase {
  db: TestDatabase;
  dataSource: DataSource;
  transactions: TransactionContext;
  close(): Promise<void>;
}

export async function openProbeDatabase(ddl: string): Promise<ProbeDatabase> {
  const db = await createTestDatabase();
  await db.query(ddl);
  const dataSource = await new DataSource({ type: 'postgres', url: db.url }).initialize();
  return {
    db,
    dataSource,
    transactions: new TransactionContext(dataSource),
    close: async () => {
      await dataSource.destroy();
      await db.drop();
    },
  };
}
