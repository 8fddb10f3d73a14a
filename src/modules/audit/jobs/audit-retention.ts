import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import { SearchIndexer } from '../../search/search-indexer.js';
import { AuditClock } from '../audit-clock.js';
import { AuditPartitions, Partition } from '../audit-partitions.js';
import { AuditCheckpoints, ChainPosition } from '../checkpoints/audit-checkpoints.js';

const DAY_MS = 86_400_000;

/**
 * Drops whole monthly partitions that ended more than AUDIT_RETENTION_DAYS ago. In the same
 * transaction it first writes a retention checkpoint holding, per chain, the last dropped event:
 * the signed anchor from which the verifier checks what remains; and it removes the dropped
 * events from the `audit` search index (Elasticsearch follows through its backlog).
 */
@Injectable()
export class AuditRetention {
  private readonly logger = new Logger('AuditRetention');

  constructor(
    private readonly transactions: TransactionContext,
    private readonly partitions: AuditPartitions,
    private readonly checkpoints: AuditCheckpoints,
    private readonly config: AppConfig,
    private readonly clock: AuditClock,
    private readonly search: SearchIndexer,
  ) {}

  async run(): Promise<Partition[]> {
    const cutoff = this.clock.now().getTime() - this.config.audit.retentionDays * DAY_MS;
    return this.transactions.run(async (manager) => {
      const expired = (await this.partitions.list(manager)).filter((p) => p.to.getTime() <= cutoff);
      if (!expired.length) return [];
      const previous = await this.checkpoints.latest('retention');
      const anchors = new Map((previous?.heads ?? []).map((head) => [head.shard, head]));
      for (const partition of expired) {
        const lastRows = (await manager.query(
          `SELECT DISTINCT ON (shard) shard, seq, hash FROM ${partition.name} ORDER BY shard, seq DESC`,
        )) as { shard: number; seq: string; hash: string }[];
        for (const row of lastRows) {
          const seq = Number(row.seq);
          if ((anchors.get(row.shard)?.seq ?? 0) < seq)
            anchors.set(row.shard, { shard: row.shard, seq, hash: row.hash });
        }
      }
      const heads: ChainPosition[] = [...anchors.values()].sort((a, b) => a.shard - b.shard);
      await this.checkpoints.write('retention', heads, manager);
      for (const partition of expired) await this.partitions.drop(partition, manager);
      const end = new Date(Math.max(...expired.map((p) => p.to.getTime())));
      const unindexed = await this.search.expire('audit', end);
      this.logger.log(`dropped ${expired.map((p) => p.name).join(', ')} and ${unindexed} search documents`);
      return expired;
    });
  }
}
