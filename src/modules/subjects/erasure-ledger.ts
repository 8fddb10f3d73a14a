import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';

/** One line of the ledger: who was erased and when; nothing personal beyond the subject's id. */
export interface ErasureEntry {
  subjectId: string;
  erasedAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Erasures recorded outside the database (ERASURE_LEDGER_FILE, JSON lines), so restoring an older
 * backup cannot bring an erased subject back: the app re-applies every entry before it is ready.
 * An entry is written and fsync'd before the erasure's transaction commits, so a crash between
 * the two at worst erases at the next boot what was asked to be erased.
 */
@Injectable()
export class ErasureLedger {
  private readonly logger = new Logger('ErasureLedger');
  readonly path: string;

  constructor(config: AppConfig) {
    this.path = config.privacy.erasureLedgerFile;
  }

  append(entry: ErasureEntry): void {
    const created = !existsSync(this.path);
    if (created) mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // A new file's name is durable only once its directory is.
    if (created) syncDirectory(dirname(this.path));
  }

  /** Every entry; a line that does not parse (a write torn by a crash) is skipped and logged. */
  read(): ErasureEntry[] {
    if (!existsSync(this.path)) return [];
    const entries: ErasureEntry[] = [];
    const lines = readFileSync(this.path, 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (!line.trim()) return;
      const entry = parse(line);
      if (entry) entries.push(entry);
      else this.logger.error(`erasure ledger line ${index + 1} is not an entry; skipped`);
    });
    return entries;
  }
}

function parse(line: string): ErasureEntry | undefined {
  try {
    const value = JSON.parse(line) as Partial<ErasureEntry>;
    if (typeof value.subjectId === 'string' && UUID.test(value.subjectId) && typeof value.erasedAt === 'string') {
      return { subjectId: value.subjectId, erasedAt: value.erasedAt };
    }
  } catch {
    // Torn or foreign line: reported by the caller.
  }
  return undefined;
}

function syncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
