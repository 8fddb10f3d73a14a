import { postJson } from '../../../common/post-json.js';
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
    const body = anchoredCheckpoint(await this.database(), checkpoint);
    const status = await postJson(this.url, body, { timeoutMs: TIMEOUT_MS });
    if (status < 200 || status > 299) throw new Error(`the anchor endpoint answered ${status}`);
  }
}
