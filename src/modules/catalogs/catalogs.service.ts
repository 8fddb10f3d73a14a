import { Injectable, Logger } from '@nestjs/common';
import { ProblemException } from '../../common/problem.js';
import { randomUUID } from 'node:crypto';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { OutboxWriter } from '../../infrastructure/outbox/outbox-writer.js';
import { AuditScope } from '../audit/audit-scope.js';
import { CatalogsRepository, type ControlRef, type ControlResolution } from './catalogs.repository.js';
import type { CatalogImportResponse } from './dto/catalog-import.response.js';
import { TraversalCache } from './cache/traversal-cache.js';
import { CONTROL_GRAPH_CHANGED, type ControlGraphChangedPayload } from './control-graph-events.js';
import { parseStreamedJson } from '../../common/streamed-body.js';
import {
  buildOscalCatalog,
  isCatalogControlPath,
  OscalCatalogReader,
  type ParsedCatalog,
  parseOscalCatalog,
} from './oscal-catalog.js';

/** Parse progress is logged every this many controls. */
const PROGRESS_EVERY = 1_000;

/** Where a catalog's own `related` edges come from, so a re-import replaces exactly those. */
export const catalogEdgeSource = (framework: string) => `oscal-catalog:${framework}`;

/** Control catalogs: OSCAL import and export, and the control check records go through. */
@Injectable()
export class CatalogsService {
  private readonly logger = new Logger('ControlCatalogs');

  constructor(
    private readonly catalogs: CatalogsRepository,
    private readonly audit: AuditScope,
    private readonly transactions: TransactionContext,
    private readonly outbox: OutboxWriter,
    private readonly traversals: TraversalCache,
  ) {}

  /** One transaction (the request's, or its own from the CLI): the whole catalog is written, or nothing. */
  async import(framework: string, document: unknown): Promise<CatalogImportResponse> {
    const parsed = parseOscalCatalog(document);
    return this.transactions.run(() => this.write(framework, parsed));
  }

  /**
   * The same from a JSON body read as it arrives: each control is taken out of the text as soon as
   * it is complete, so neither the body nor the whole document tree is ever held.
   */
  async importStream(
    framework: string,
    body: AsyncIterable<Buffer>,
    limitBytes: number,
  ): Promise<CatalogImportResponse> {
    const reader = new OscalCatalogReader();
    const document = await parseStreamedJson(body, limitBytes, {
      emitAt: isCatalogControlPath,
      onValue: (control, path) => {
        reader.control(control, path);
        if (reader.count % PROGRESS_EVERY === 0) this.logger.log(`import ${framework}: ${reader.count} controls read`);
      },
    });
    const parsed = reader.finish(document);
    return this.transactions.run(() => this.write(framework, parsed));
  }

  private async write(framework: string, { header, controls, related }: ParsedCatalog): Promise<CatalogImportResponse> {
    const started = Date.now();
    this.logger.log(`import ${framework}: ${controls.length} controls in ${header.groups.length} groups parsed`);
    await this.catalogs.lockCatalog(framework);
    const frameworkCreated = await this.catalogs.ensureFramework(framework, header.title.slice(0, 200));
    const catalogCreated = await this.catalogs.upsertCatalog(framework, header);
    const { inserted, updated } = await this.catalogs.upsertControls(framework, controls);
    const removed = await this.catalogs.removeControlsExcept(
      framework,
      controls.map((control) => control.controlId),
    );
    await this.catalogs.linkParents(framework, controls);
    this.logger.log(`import ${framework}: controls written (${inserted} new, ${updated} updated, ${removed} removed)`);
    const edges = await this.catalogs.replaceRelatedEdges(framework, catalogEdgeSource(framework), related);
    const relatedMappings = edges.kept;
    const result = {
      framework,
      frameworkCreated,
      catalogCreated,
      controls: controls.length,
      inserted,
      updated,
      unchanged: controls.length - inserted - updated,
      removed,
      groups: header.groups.length,
      relatedMappings,
    };
    this.logger.log(
      `import ${framework}: done in ${Date.now() - started} ms, ${controls.length} controls, ${relatedMappings} related edges`,
    );
    // An unchanged re-import tells nobody: re-indexing a framework's records costs seconds per 100,000.
    if (catalogCreated || inserted || updated || removed || edges.changed) {
      const payload: ControlGraphChangedPayload = { change: 'catalog', frameworks: [framework] };
      await this.outbox.append(CONTROL_GRAPH_CHANGED, randomUUID(), payload);
      await this.transactions.afterCommit(() => this.traversals.invalidate());
    }
    this.audit.describe({ resourceType: 'control_catalog', resourceId: framework, details: { ...result } });
    return result;
  }

  async export(framework: string): Promise<{ catalog: Record<string, unknown> }> {
    const header = await this.catalogs.findCatalog(framework);
    if (!header) throw catalogNotFound();
    return buildOscalCatalog(header, await this.catalogs.controlsOf(framework));
  }

  /** The refs whose framework has a catalog that lacks the control (one query for any number). */
  async unknownControls(refs: ControlRef[]): Promise<ControlRef[]> {
    const distinct = new Map(refs.map((ref) => [`${ref.framework}\u0000${ref.controlId}`, ref]));
    return this.catalogs.unknownControls([...distinct.values()]);
  }

  /**
   * Changes with every catalog or mapping change (after its commit, on every replica sharing the
   * Redis): what a cache of views holding control titles keys its entries by. Undefined when unknown.
   */
  controlGraphGeneration(): Promise<string | undefined> {
    return this.traversals.generation();
  }

  /** What each ref names (catalog or not, its control if it resolves), keyed by `controlRefKey`; one query. */
  async resolveControls(refs: ControlRef[]): Promise<Map<string, ControlResolution>> {
    const distinct = new Map(refs.map((ref) => [controlRefKey(ref), ref]));
    const resolved = await this.catalogs.resolveControls([...distinct.values()]);
    return new Map(resolved.map((resolution) => [controlRefKey(resolution), resolution]));
  }
}

export const controlRefKey = (ref: ControlRef) => `${ref.framework}\u0000${ref.controlId}`;

export function catalogNotFound(): ProblemException {
  return new ProblemException(404, 'catalog-not-found', 'This framework has no control catalog.');
}
