import { createReadStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Checkpoint } from './audit-checkpoints.js';
import { type AnchoredCheckpoint, anchoredCheckpoint, type CheckpointAnchor } from './anchored-checkpoint.js';

/**
 * Appends each checkpoint as one JSON line (O_APPEND, fsync) to a file the database cannot reach
 * unless it runs as the same OS user on the same host (see docs/audit.md).
 */
export class FileAnchor implements CheckpointAnchor {
  readonly sink = 'file';
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: () => Promise<string>,
    private readonly database: () => Promise<string>,
  ) {}

  append(checkpoint: Checkpoint): Promise<void> {
    // One write at a time, so lines never interleave and land in the order checkpoints committed.
    const write = this.queue.then(async () => {
      const path = await this.path();
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const handle = await open(path, 'a', 0o600);
      try {
        await handle.appendFile(`${JSON.stringify(anchoredCheckpoint(await this.database(), checkpoint))}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
    this.queue = write.catch(() => undefined);
    return write;
  }

  async *read(): AsyncIterable<AnchoredCheckpoint> {
    await this.queue;
    const [path, database] = [await this.path(), await this.database()];
    const stream = createReadStream(path, { encoding: 'utf8' });
    const opened = await new Promise<boolean>((resolve, reject) => {
      stream.once('open', () => resolve(true));
      stream.once('error', (error: NodeJS.ErrnoException) =>
        error.code === 'ENOENT' ? resolve(false) : reject(error),
      );
    });
    if (!opened) return;
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as AnchoredCheckpoint;
      if (entry.database === database) yield entry;
    }
  }
}
