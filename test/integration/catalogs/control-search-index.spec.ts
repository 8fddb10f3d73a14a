import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { buildDataSourceOptions } from '../../../src/infrastructure/database/data-source-options';
import { TransactionContext } from '../../../src/infrastructure/database/transaction-context';
import { OutboxConsumerRegistry, type OutboxEvent } from '../../../src/infrastructure/outbox/outbox-consumer';
import { PostgresSearchEngine } from '../../../src/infrastructure/search/postgres/postgres-search.engine';
import type { SearchRequest } from '../../../src/infrastructure/search/search-engine';
import { parseSearchQuery } from '../../../src/infrastructure/search/search-query';
import { CatalogsRepository } from '../../../src/modules/catalogs/catalogs.repository';
import { CONTROL_GRAPH_CHANGED } from '../../../src/modules/catalogs/control-graph-events';
import { parseOscalCatalog } from '../../../src/modules/catalogs/oscal-catalog';
import { ControlSearchIndexer } from '../../../src/modules/catalogs/search/control-search.consumer';
import { ControlSearchRepository } from '../../../src/modules/catalogs/search/control-search.repository';
import { ControlSearchSource } from '../../../src/modules/catalogs/search/control-search.source';
import type { ElasticsearchSync } from '../../../src/modules/search/jobs/elasticsearch-sync.job';
import { SearchDocumentSources } from '../../../src/modules/search/search-document-source';
import { SearchIndexer } from '../../../src/modules/search/search-indexer';
import { SearchRepository } from '../../../src/modules/search/search.repository';
import { createTestDatabase, TestDatabase } from '../../support/database';

type InventedControl = [id: string, title: string, statement: string, guidance?: string];

/** An invented OSCAL catalog (never NIST text): one group per family, statement and guidance as parts. */
function aCatalog(title: string, families: Record<string, InventedControl[]>) {
  return {
    catalog: {
      uuid: randomUUID(),
      metadata: { title, 'last-modified': '2026-12-01T00:00:00Z', version: '1', 'oscal-version': '1.0.6' },
      groups: Object.entries(families).map(([id, controls]) => ({
        id,
        title: id.toUpperCase(),
        controls: controls.map(([controlId, controlTitle, statement, guidance]) => ({
          id: controlId,
          title: controlTitle,
          props: [{ name: 'label', value: controlId.toUpperCase() }],
          parts: [
            { id: `${controlId}_smt`, name: 'statement', prose: statement },
            ...(guidance ? [{ id: `${controlId}_gdn`, name: 'guidance', prose: guidance }] : []),
          ],
        })),
      })),
    },
  };
}

const FIRST_IMPORT = aCatalog('Illustrative catalog', {
  ac: [
    ['ac-1', 'Access Policy', 'Publish an access policy to personnel.', 'Review the policy after an incident.'],
    ['ac-7', 'Unsuccessful Logon Attempts', 'Lock the account after consecutive failures.'],
  ],
  sc: [['sc-13', 'Cryptographic Protection', 'Implement cryptographic mechanisms.', 'Encryption protects backups.']],
});

describe('the controls search index, fed by catalog changes (Postgres engine)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let transactions: TransactionContext;
  let catalogs: CatalogsRepository;
  let engine: PostgresSearchEngine;
  let consumer: ControlSearchIndexer;
  let source: ControlSearchSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = new AppConfig(validateEnvironment({ DATABASE_URL: db.url }));
    dataSource = await new DataSource(buildDataSourceOptions(config.database, db.url)).initialize();
    await dataSource.runMigrations();
    transactions = new TransactionContext(dataSource);
    catalogs = new CatalogsRepository(transactions);
    engine = new PostgresSearchEngine(() => transactions.manager);
    // No Elasticsearch: the sync job is never asked for.
    const indexer = new SearchIndexer(
      engine,
      null,
      new SearchRepository(transactions),
      transactions,
      {} as ElasticsearchSync,
    );
    const controls = new ControlSearchRepository(transactions);
    consumer = new ControlSearchIndexer(new OutboxConsumerRegistry(), indexer, controls);
    source = new ControlSearchSource(new SearchDocumentSources(), controls);
    await importCatalog('ILL-A', FIRST_IMPORT);
    await importCatalog(
      'ILL-B',
      aCatalog('Second illustrative catalog', { ac: [['ac-1', 'Access Rules', 'State who may enter the building.']] }),
    );
    await deliver(changed('catalog', 'ILL-A', 'ILL-B'));
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  /** The statements a catalog import runs, in one transaction. */
  async function importCatalog(framework: string, document: unknown): Promise<void> {
    const { header, controls } = parseOscalCatalog(document);
    await transactions.run(async () => {
      await catalogs.ensureFramework(framework, header.title);
      await catalogs.upsertCatalog(framework, header);
      await catalogs.upsertControls(framework, controls);
      await catalogs.removeControlsExcept(
        framework,
        controls.map((control) => control.controlId),
      );
      await catalogs.linkParents(framework, controls);
    });
  }

  const changed = (change: 'catalog' | 'mappings', ...frameworks: string[]): OutboxEvent => ({
    id: '1',
    type: CONTROL_GRAPH_CHANGED,
    aggregateId: randomUUID(),
    payload: { change, frameworks },
    createdAt: new Date(),
  });
  /** As the relay hands events over: in a transaction of its own. */
  const deliver = (...events: OutboxEvent[]) => transactions.run(() => consumer.handle(events));
  const search = (q: string, overrides: Partial<SearchRequest> = {}) =>
    engine.search({
      index: 'controls',
      query: parseSearchQuery(q),
      filters: {},
      facets: [],
      page: 1,
      pageSize: 20,
      ...overrides,
    });
  const ids = async (q: string, overrides: Partial<SearchRequest> = {}) =>
    (await search(q, overrides)).hits.map((hit) => hit.id).sort();
  const stored = async (id: string) =>
    (
      await db.query<{ version: string; deleted: boolean }>(
        `SELECT version, deleted FROM search_documents WHERE index_name = 'controls' AND document_id = $1`,
        [id],
      )
    )[0];

  it('finds the controls of an imported catalog by words of their title, statement and guidance', async () => {
    expect(await ids('logon')).toEqual(['ILL-A:ac-7']);
    expect(await ids('consecutive failures')).toEqual(['ILL-A:ac-7']);
    expect(await ids('incident')).toEqual(['ILL-A:ac-1']);
    expect(await ids('backups')).toEqual(['ILL-A:sc-13']);
    const [hit] = (await search('cryptographic')).hits;
    expect(hit).toMatchObject({ code: 'sc-13', title: 'SC-13 Cryptographic Protection' });
    expect(hit.keywords).toEqual({ framework: 'ILL-A', group: 'sc' });
  });

  it('filters and facets by framework and group', async () => {
    const result = await search('access', { facets: ['framework', 'group'] });
    expect(result.hits.map((hit) => hit.id).sort()).toEqual(['ILL-A:ac-1', 'ILL-B:ac-1']);
    expect(result.facets).toEqual({
      framework: [
        { value: 'ILL-A', count: 1 },
        { value: 'ILL-B', count: 1 },
      ],
      group: [{ value: 'ac', count: 2 }],
    });
    expect(await ids('access', { filters: { framework: 'ILL-B' } })).toEqual(['ILL-B:ac-1']);
  });

  it('removes a control a re-import drops, with a deletion newer than its document, and rewrites changed text', async () => {
    const before = await stored('ILL-A:ac-7');
    const [{ title: lastTitle }] = (await search('logon')).hits;
    const reimport = aCatalog('Illustrative catalog', {
      ac: [['ac-1', 'Access Policy', 'Publish an access policy to personnel.', 'Review the policy every spring.']],
      sc: [
        ['sc-13', 'Cryptographic Protection', 'Implement cryptographic mechanisms.', 'Encryption protects backups.'],
      ],
    });
    await importCatalog('ILL-A', reimport);
    await deliver(changed('catalog', 'ILL-A'));

    expect(await ids('logon')).toEqual([]);
    const after = await stored('ILL-A:ac-7');
    expect(after.deleted).toBe(true);
    expect(Number(after.version)).toBeGreaterThan(Number(before.version));
    expect(await ids('spring')).toEqual(['ILL-A:ac-1']);
    expect(await ids('incident')).toEqual([]);
    expect(await ids('access')).toEqual(['ILL-A:ac-1', 'ILL-B:ac-1']);

    // A late copy of the removed control's last document does not bring it back.
    await engine.index([
      {
        index: 'controls',
        id: 'ILL-A:ac-7',
        version: Number(before.version),
        title: lastTitle,
        body: 'Lock the account after consecutive failures.',
        keywords: { framework: 'ILL-A', group: 'ac' },
        occurredAt: new Date().toISOString(),
      },
    ]);
    expect(await ids('logon')).toEqual([]);
  });

  it('indexes a control again when a later import brings it back', async () => {
    await importCatalog('ILL-A', FIRST_IMPORT);
    await deliver(changed('catalog', 'ILL-A'));
    expect(await ids('logon')).toEqual(['ILL-A:ac-7']);
    expect((await stored('ILL-A:ac-7')).deleted).toBe(false);
  });

  it('leaves the index alone on a mapping change', async () => {
    await db.query(`UPDATE controls SET title = 'Renamed' WHERE framework = 'ILL-B' AND control_id = 'ac-1'`);
    await deliver(changed('mappings', 'ILL-A', 'ILL-B'));
    expect(await ids('rules')).toEqual(['ILL-B:ac-1']);
    expect(await ids('renamed')).toEqual([]);
  });

  it('rebuilds from every catalog on reindex, dropping documents no catalog has', async () => {
    await db.query(`DELETE FROM search_documents WHERE index_name = 'controls' AND document_id = 'ILL-A:sc-13'`);
    await engine.index([
      {
        index: 'controls',
        id: 'ILL-C:zz-9',
        version: 1,
        title: 'Stray wombat control',
        body: '',
        keywords: { framework: 'ILL-C' },
        occurredAt: new Date().toISOString(),
      },
    ]);
    const progress: number[] = [];
    await engine.reindex('controls', source.stream(2), (p) => void progress.push(p.processed));

    expect(progress).toEqual([2, 4]);
    expect(await ids('backups')).toEqual(['ILL-A:sc-13']);
    expect(await ids('wombat')).toEqual([]);
    expect(await ids('renamed')).toEqual(['ILL-B:ac-1']);
  });
});
