import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { DatabaseLocator } from '../infrastructure/database/database-locator.js';

export interface CommandContext {
  app: INestApplicationContext;
  /** The database the command works on, in words for its one-line report. */
  database: string;
}

/**
 * Runs a command-line `task` inside the application (against DATABASE_URL, the embedded
 * cluster a running app already uses, or one started for the command and stopped after it);
 * a failure exits 1 with a one-line reason.
 */
export function runCommand(name: string, task: (context: CommandContext) => Promise<void>): void {
  const run = async () => {
    // abortOnError off: a failed boot reaches the catch below instead of Nest's own process.exit.
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(), {
      logger: ['error', 'warn'],
      abortOnError: false,
    });
    const locator = app.get(DatabaseLocator);
    try {
      await task({ app, database: locator.describe() });
    } finally {
      await app.close();
      await locator.release();
    }
  };
  void run().catch((error: unknown) => {
    process.stderr.write(`${name} failed: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  });
}
