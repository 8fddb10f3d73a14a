import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '../../../config/app-config.js';
import { ConfigurationError } from '../../../config/environment.js';

export const CHECKPOINT_KEY = Symbol('AUDIT_CHECKPOINT_KEY');
const KEY_FILE = 'audit-checkpoint.key';

/**
 * The configured key, or (outside production, which refuses to start without one) a key generated
 * once into DATA_DIR with mode 600, so a development install still signs its checkpoints.
 */
export function loadCheckpointKey(config: AppConfig): Buffer {
  const configured = config.audit.checkpointKey;
  if (configured) return Buffer.from(configured, 'utf8');
  // Checked here, not in the schema: the migration CLI shares the schema and needs no audit key.
  if (config.isProduction) {
    throw new ConfigurationError('Invalid configuration: AUDIT_CHECKPOINT_KEY is required when NODE_ENV=production');
  }
  const file = join(config.dataDir, KEY_FILE);
  mkdirSync(config.dataDir, { recursive: true });
  try {
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    new Logger('Audit').warn(`AUDIT_CHECKPOINT_KEY is not set: generated ${file}; set the variable in production`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
}
