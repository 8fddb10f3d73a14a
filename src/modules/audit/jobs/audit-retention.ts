import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config.js';
import { AuditClock } from '../audit-clock.js';
import { AuditPartitions, Partition } from '../audit-partitions.js';
import { AuditCheckpoints, ChainPosition } from '../checkpoints/audit-checkpoints.js';

const DAY_MS = 86_400_000;

/**
 * Drops whole monthly partitions that ended more than AUDIT_RETENTION_DAYS ago. In the same
 * transaction it first writes a retention checkpoint holding, per chain, the last dropped event:
 * the signed anchor from which the verifier checks what remains.
 */
@Injectable()
export class AuditRetention {
  private readonly logger = new Logger('AuditRetention');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly partitions: AuditPartitions,
    private readonly checkpoints: AuditCheckpoints,
    private readonly config: AppConfig,
    private readonly clock: AuditClock,
  ) {}

  async run(): Promise<Partition[]> {
    const cutoff = this.clock.now().getTime() - this.config.audit.retentionDays * DAY_MS;
    return this.dataSource.transaction(async (manager) => {
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
      this.logger.log(`dropped ${expired.map((p) => p.name).join(', ')}`);
      return expired;
    });
  }
}
