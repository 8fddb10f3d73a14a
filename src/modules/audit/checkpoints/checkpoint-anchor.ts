import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../../config/app-config.js';
import { ConfigurationError } from '../../../config/environment.js';
import type { CheckpointAnchor } from './anchored-checkpoint.js';
import { FileAnchor } from './file-anchor.js';
import { HttpAnchor } from './http-anchor.js';
import { SyslogAnchor } from './syslog-anchor.js';

export type { AnchoredCheckpoint, CheckpointAnchor } from './anchored-checkpoint.js';
export const CHECKPOINT_ANCHOR = Symbol('CHECKPOINT_ANCHOR');

/** Chosen at boot from AUDIT_ANCHOR; a sink without its target stops the boot naming the variable. */
export function createCheckpointAnchor(config: AppConfig, dataSource: DataSource): CheckpointAnchor {
  const { anchor } = config.audit;
  // Resolved at first use: the embedded database has no name before it starts.
  let name: Promise<string> | undefined;
  const database = () =>
    (name ??= dataSource.query('SELECT current_database() AS name').then((rows: { name: string }[]) => rows[0].name));
  if (anchor.sink === 'http') {
    if (!anchor.url) {
      throw new ConfigurationError('Invalid configuration: AUDIT_ANCHOR_URL is required when AUDIT_ANCHOR=http');
    }
    return new HttpAnchor(anchor.url, database);
  }
  if (anchor.sink === 'syslog') {
    if (!anchor.syslog) {
      throw new ConfigurationError('Invalid configuration: AUDIT_ANCHOR_SYSLOG is required when AUDIT_ANCHOR=syslog');
    }
    return new SyslogAnchor(anchor.syslog, database);
  }
  const file = anchor.file
    ? async () => anchor.file as string
    : async () => join(config.dataDir, 'audit-anchors', `${(await database()).replace(/[^\w.-]/g, '_')}.jsonl`);
  return new FileAnchor(file, database);
}
