import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Client } from 'pg';
import { uuidv7 } from '../../src/common/uuidv7';
import { from as copyFrom } from 'pg-copy-streams';
import type { CreateRecordDto } from '../../src/modules/compliance/records/dto/create-record.dto';
import { partitionName } from '../../src/modules/compliance/analytics/jobs/event-partitions';

const DAY_MS = 86_400_000;

const COPIED_COLUMNS = 'id, entity_id, framework, control_id, status, score, details, evidence_notes, assessed_at';

/**
 * The rows the API ingests (notes in plain text) in COPY's text format, with ids made as the API
 * makes them: built before timing, as the API's bodies are.
 */
export function copyText(rows: CreateRecordDto[]): string {
  return rows
    .map((row) => {
      const details = JSON.stringify(row.details ?? {}).replaceAll('\\', '\\\\');
      const notes = row.evidenceNotes?.replaceAll('\\', '\\\\') ?? '\\N';
      const assessedAt = new Date(row.assessedAt as Date).toISOString();
      return `${uuidv7()}\t${row.entityId}\t${row.framework}\t${row.controlId}\t${row.status}\t${row.score}\t${details}\t${notes}\t${assessedAt}\n`;
    })
    .join('');
}

/** Milliseconds to COPY `text` into a table with no index, constraint, outbox or events. */
export async function copyIntoBareTable(client: Client, text: string): Promise<number> {
  await createBareTable(client, 'bare_records');
  return timeCopy(client, 'bare_records', text);
}

/**
 * Milliseconds to COPY `text` into a table with `compliance_records`' columns, indexes, checks and
 * framework foreign key: what the schema alone costs, before encryption, outbox and HTTP.
 */
export async function copyIntoRecordsTable(client: Client, text: string): Promise<number> {
  await createRecordsLikeTable(client, 'copied_records');
  return timeCopy(client, 'copied_records', text);
}

/** A table of the copied columns with no index or constraint. */
export async function createBareTable(client: Client, table: string): Promise<void> {
  await client.query(`CREATE TABLE ${table} (
    id uuid, entity_id text, framework text, control_id text, status text,
    score numeric(5, 2), details jsonb, evidence_notes text, assessed_at timestamptz)`);
}

/** A table with `compliance_records`' columns, defaults, indexes, checks and framework foreign key. */
export async function createRecordsLikeTable(client: Client, table: string): Promise<void> {
  await client.query(`CREATE TABLE ${table} (LIKE compliance_records INCLUDING ALL)`);
  await client.query(`ALTER TABLE ${table} ADD FOREIGN KEY (framework) REFERENCES compliance_frameworks (code)`);
}

/** Milliseconds to COPY `text` (rows from `copyText`) into `table`, committed. */
export async function timeCopy(client: Client, table: string, text: string): Promise<number> {
  const started = performance.now();
  await pipeline(Readable.from([text]), client.query(copyFrom(`COPY ${table} (${COPIED_COLUMNS}) FROM STDIN`)));
  return performance.now() - started;
}

/** Daily partitions for the `days` before today (and today), as the maintenance job names them. */
export async function createEventPartitions(client: Client, days: number): Promise<void> {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  for (let offset = -days; offset <= 0; offset++) {
    const from = new Date(today + offset * DAY_MS);
    const to = new Date(from.getTime() + DAY_MS);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${partitionName(from)} PARTITION OF compliance_events
       FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
    );
  }
}

/** `count` synthetic events spread evenly over the last `days`, plus their hourly rollup rows. */
export async function insertSyntheticEvents(client: Client, count: number, days: number): Promise<void> {
  const to = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const from = new Date(to - days * DAY_MS);
  const chunk = 1_000_000;
  for (let start = 0; start < count; start += chunk) {
    await client.query(
      `INSERT INTO compliance_events (source_event_id, record_id, framework, status, score, occurred_at)
       SELECT 1000000000000 + g, '00000000-0000-4000-8000-000000000000',
              (ARRAY['GDPR', 'SOC2', 'HIPAA', 'ISO27001', 'PCI-DSS'])[1 + g % 5],
              (ARRAY['passed', 'failed', 'warning', 'not_applicable', 'pending'])[1 + (g / 5) % 5],
              (g % 10001) / 100.0,
              $1::timestamptz + make_interval(secs => (g::float8 / $2) * $3)
       FROM generate_series($4::bigint, $5::bigint) AS g`,
      [from, count, days * 86_400, start, Math.min(start + chunk, count) - 1],
    );
  }
  await client.query(`
    INSERT INTO compliance_events_hourly AS hourly (bucket, framework, status, event_count, score_sum)
    SELECT date_trunc('hour', occurred_at, 'UTC'), framework, status, count(*), sum(score)
    FROM compliance_events WHERE source_event_id >= 1000000000000 GROUP BY 1, 2, 3
    ON CONFLICT (bucket, framework, status) DO UPDATE
      SET event_count = hourly.event_count + excluded.event_count, score_sum = hourly.score_sum + excluded.score_sum`);
  await client.query('ANALYZE compliance_events');
  await client.query('ANALYZE compliance_events_hourly');
}
