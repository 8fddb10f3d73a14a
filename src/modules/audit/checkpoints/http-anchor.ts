import type { Checkpoint } from './audit-checkpoints.js';
import { anchoredCheckpoint, type CheckpointAnchor } from './anchored-checkpoint.js';

const TIMEOUT_MS = 5_000;

/** POSTs each checkpoint as JSON to AUDIT_ANCHOR_URL; any status but 2xx is a failed anchor. */
export class HttpAnchor implements CheckpointAnchor {
  readonly sink = 'http';

  constructor(
    private readonly url: string,
    private readonly database: () => Promise<string>,
  ) {}

  async append(checkpoint: Checkpoint): Promise<void> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(anchoredCheckpoint(await this.database(), checkpoint)),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the anchor endpoint answered ${response.status}`);
  }
}
