import { Injectable } from '@nestjs/common';
import { ProblemException } from '../../common/problem.js';
import type { FieldError } from '../../common/problem.js';
import { validationProblem } from '../../common/validation.js';
import { randomUUID } from 'node:crypto';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { OutboxWriter } from '../../infrastructure/outbox/outbox-writer.js';
import { AuditScope } from '../audit/audit-scope.js';
import { TraversalCache } from './cache/traversal-cache.js';
import { CONTROL_GRAPH_CHANGED, type ControlGraphChangedPayload } from './control-graph-events.js';
import { ControlGraphRepository, type MappingInput, type MappingRow } from './control-graph.repository.js';
import type { ImportMappingsBody } from './dto/import-mappings.body.js';
import type { MappingImportResponse } from './dto/mapping-import.response.js';
import type { WalkRelationship } from './dto/related-controls.query.js';
import type { RelatedControlsResponse } from './dto/related-controls.response.js';

/** Mappings between controls (import) and the walks over them (related controls). */
@Injectable()
export class ControlGraphService {
  constructor(
    private readonly graph: ControlGraphRepository,
    private readonly audit: AuditScope,
    private readonly transactions: TransactionContext,
    private readonly outbox: OutboxWriter,
    private readonly traversals: TraversalCache,
  ) {}

  /** Every item is checked before anything is written; the whole file is written, or nothing. */
  importMappings(body: ImportMappingsBody): Promise<MappingImportResponse> {
    const items: MappingInput[] = body.mappings.map((item) => ({
      fromFramework: item.from.framework,
      fromControl: item.from.control,
      toFramework: item.to.framework,
      toControl: item.to.control,
      relationship: item.relationship,
      strength: item.strength ?? null,
      rationale: item.rationale ?? null,
    }));
    return this.transactions.run(async () => {
      const ends = await this.graph.resolveEnds(items);
      const errors: FieldError[] = [];
      const rows: MappingRow[] = [];
      ends.forEach(({ fromId, toId }, i) => {
        const item = items[i];
        if (!fromId) errors.push(unknownControl(`mappings.${i}.from`, item.fromFramework, item.fromControl));
        if (!toId) errors.push(unknownControl(`mappings.${i}.to`, item.toFramework, item.toControl));
        if (fromId && toId && fromId === toId) {
          errors.push({ field: `mappings.${i}.to`, messages: ['a control cannot be mapped to itself'] });
        }
        if (fromId && toId) rows.push({ ...item, sourceControl: fromId, targetControl: toId });
      });
      if (errors.length) throw validationProblem(errors);
      const { distinct, inserted, updated } = await this.graph.upsertMappings(body.source, rows);
      const result = {
        source: body.source,
        mappings: distinct,
        inserted,
        updated,
        unchanged: distinct - inserted - updated,
      };
      if (inserted || updated) {
        const frameworks = [...new Set(items.flatMap((item) => [item.fromFramework, item.toFramework]))].sort();
        const payload: ControlGraphChangedPayload = { change: 'mappings', frameworks };
        await this.outbox.append(CONTROL_GRAPH_CHANGED, randomUUID(), payload);
        await this.transactions.afterCommit(() => this.traversals.invalidate());
      }
      this.audit.describe({ resourceType: 'control_mappings', resourceId: body.source, details: { ...result } });
      return result;
    });
  }

  /** Cached until the graph changes (catalog or mapping import, through the outbox). */
  async related(
    framework: string,
    control: string,
    relationships: WalkRelationship[],
    depth: number,
    limit: number,
  ): Promise<RelatedControlsResponse> {
    const followed = [...new Set(relationships)].sort();
    const key = `related:${framework}:${depth}:${limit}:${followed.join(',')}:${control}`;
    const answer = await this.traversals.remember(key, () => this.walk(framework, control, followed, depth, limit));
    if (!answer) throw controlNotFound();
    return answer;
  }

  private async walk(
    framework: string,
    control: string,
    relationships: WalkRelationship[],
    depth: number,
    limit: number,
  ): Promise<RelatedControlsResponse | undefined> {
    const [start, ...reached] = await this.graph.walk(framework, control, relationships, depth, limit);
    if (!start) return undefined;
    const total = Number(start.total);
    return {
      control: { framework: start.framework, control: start.control_id, title: start.title },
      depth,
      relationships,
      limit,
      total,
      truncated: total > reached.length,
      related: reached.map((row) => ({
        framework: row.framework,
        control: row.control_id,
        title: row.title,
        depth: row.depth,
        path: row.path,
      })),
    };
  }
}

const unknownControl = (field: string, framework: string, control: string): FieldError => ({
  field,
  messages: [`${framework} has no control ${control} (the framework needs a catalog that has it)`],
});

export function controlNotFound(): ProblemException {
  return new ProblemException(404, 'control-not-found', 'This framework has no such control in its catalog.');
}
