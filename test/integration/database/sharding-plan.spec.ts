import { DataSource } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config.js';
import { validateEnvironment } from '../../../src/config/environment.js';
import { buildDataSourceOptions } from '../../../src/infrastructure/database/data-source-options.js';
import { createTestDatabase, TestDatabase } from '../../support/database.js';

/**
 * What every table would become if Postgres were sharded with Citus (docs/scaling.md, "Beyond one
 * primary"): distributed by a column (tables of one colocation group share their shards), a
 * reference table copied to every node, or local to the coordinator. This file keeps the schema
 * from drifting away from the plan: a new table must be placed, and a foreign key or unique
 * constraint Citus could not keep fails here unless it is one the plan already lists as to change.
 */
type Placement =
  { kind: 'distributed'; by: string; group: string; pending?: string } | { kind: 'reference' } | { kind: 'local' };

const entity = (pending?: string): Placement => ({ kind: 'distributed', by: 'entity_id', group: 'entity', pending });

const SHARDING_PLAN: Record<string, Placement> = {
  compliance_records: entity(),
  compliance_events: entity('add entity_id, copied from the event payload by the compliance-events consumer'),
  compliance_events_hourly: entity('add entity_id to the rollup key; readers sum over entities'),
  audit_events: { kind: 'distributed', by: 'shard', group: 'audit-chain' },
  audit_chain_heads: { kind: 'distributed', by: 'shard', group: 'audit-chain' },
  search_documents: { kind: 'distributed', by: 'document_id', group: 'search-document' },
  search_index_backlog: { kind: 'distributed', by: 'document_id', group: 'search-document' },
  compliance_frameworks: { kind: 'reference' },
  control_catalogs: { kind: 'reference' },
  controls: { kind: 'reference' },
  control_mappings: { kind: 'reference' },
  control_centrality: { kind: 'reference' },
  control_centrality_state: { kind: 'reference' },
  outbox_events: { kind: 'local' },
  outbox_deliveries: { kind: 'local' },
  users: { kind: 'local' },
  subject_keys: { kind: 'local' },
  session_store: { kind: 'local' },
  user_known_devices: { kind: 'local' },
  login_failures: { kind: 'local' },
  api_keys: { kind: 'local' },
  api_key_secrets: { kind: 'local' },
  audit_checkpoints: { kind: 'local' },
  audit_data_keys: { kind: 'local' },
  encryption_rotations: { kind: 'local' },
  encryption_key_activations: { kind: 'local' },
  search_reindex_runs: { kind: 'local' },
  service_instances: { kind: 'local' },
  schema_migrations: { kind: 'local' },
};

/** Unique constraints that lack the distribution column today: the migrations sharding would need. */
const TO_CHANGE = [
  'compliance_events: PRIMARY KEY (source_event_id, occurred_at)',
  'compliance_events_hourly: PRIMARY KEY (bucket, framework, status)',
  'compliance_records: PRIMARY KEY (id)',
];

interface ForeignKey {
  child: string;
  childColumns: string[];
  parent: string;
  parentColumns: string[];
}

describe('the schema against the sharding plan', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = new AppConfig(validateEnvironment({ DATABASE_URL: db.url }));
    const dataSource = await new DataSource(buildDataSourceOptions(config.database, db.url)).initialize();
    await dataSource.runMigrations();
    await dataSource.destroy();
  });
  afterAll(() => db.drop());

  /** Tables and partitioned tables, not their partitions. */
  const tables = async () =>
    (
      await db.query<{ name: string }>(
        `SELECT relname AS name FROM pg_class
          WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition`,
      )
    ).map((row) => row.name);

  const columnsOf = async (table: string) =>
    (
      await db.query<{ name: string }>(
        `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
        [table],
      )
    ).map((row) => row.name);

  const foreignKeys = () =>
    db.query<ForeignKey>(
      `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
              (SELECT array_agg(attname::text ORDER BY attnum) FROM pg_attribute
                WHERE attrelid = c.conrelid AND attnum = ANY (c.conkey)) AS "childColumns",
              (SELECT array_agg(attname::text ORDER BY attnum) FROM pg_attribute
                WHERE attrelid = c.confrelid AND attnum = ANY (c.confkey)) AS "parentColumns"
         FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace AND NOT r.relispartition`,
    );

  it('places every table, and only tables that exist', async () => {
    expect((await tables()).sort()).toEqual(Object.keys(SHARDING_PLAN).sort());
  });

  it('has the distribution column on every distributed table, except those the plan lists as pending', async () => {
    for (const [table, placement] of Object.entries(SHARDING_PLAN)) {
      if (placement.kind !== 'distributed') continue;
      const present = (await columnsOf(table)).includes(placement.by);
      expect({ table, present }).toEqual({ table, present: !placement.pending });
    }
  });

  it('keeps only foreign keys Citus can enforce: to a reference table, between local tables, or on the shared distribution column', async () => {
    const allowed = ({ child, childColumns, parent, parentColumns }: ForeignKey) => {
      const [from, to] = [SHARDING_PLAN[child], SHARDING_PLAN[parent]];
      if (to.kind === 'reference' || (from.kind === 'local' && to.kind === 'local')) return true;
      return (
        from.kind === 'distributed' &&
        to.kind === 'distributed' &&
        from.group === to.group &&
        childColumns.includes(from.by) &&
        parentColumns.includes(to.by)
      );
    };
    const refused = (await foreignKeys()).filter((key) => !allowed(key));
    expect(refused).toEqual([]);
  });

  it('has the distribution column in every unique constraint of a distributed table, but for the listed changes', async () => {
    const distributed = Object.entries(SHARDING_PLAN).filter(([, p]) => p.kind === 'distributed');
    const lacking: string[] = [];
    for (const [table, placement] of distributed) {
      const constraints = await db.query<{ definition: string; columns: string[] }>(
        `SELECT pg_get_constraintdef(c.oid) AS definition,
                (SELECT array_agg(attname::text) FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = ANY (c.conkey)) AS columns
           FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype IN ('p', 'u')`,
        [table],
      );
      for (const { definition, columns } of constraints) {
        if (!columns.includes((placement as { by: string }).by)) lacking.push(`${table}: ${definition}`);
      }
    }
    expect(lacking.sort()).toEqual(TO_CHANGE);
  });
});
