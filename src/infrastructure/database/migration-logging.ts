import { AdvancedConsoleLogger, type LoggerOptions } from 'typeorm';
import type { AppConfig } from '../../config/app-config.js';

/**
 * TypeORM's CLI logs every statement, hundreds of lines of SQL per run, unless given a logger.
 * LOG_LEVEL decides: one line per migration at `info`, the SQL too at `debug`/`trace`, failures
 * only above `info`. A failing statement always shows.
 */
const MIGRATION_LOGGING: Record<AppConfig['logLevel'], LoggerOptions> = {
  trace: 'all',
  debug: 'all',
  info: ['schema', 'error', 'warn', 'log'],
  warn: ['error', 'warn'],
  error: ['error'],
  fatal: ['error'],
  silent: false,
};

export function migrationLogger(level: AppConfig['logLevel']): AdvancedConsoleLogger {
  return new AdvancedConsoleLogger(MIGRATION_LOGGING[level]);
}
