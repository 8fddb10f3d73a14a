import 'reflect-metadata';
import { TransactionContext } from '../infrastructure/database/transaction-context.js';
import { OutboxRelay } from '../infrastructure/outbox/outbox-relay.js';
import { EVENTS_RETENTION, type EventsRetention } from '../modules/compliance/analytics/jobs/events-retention.js';
import { ComplianceRecordsService } from '../modules/compliance/records/compliance-records.service.js';
import { MAX_BULK_RECORDS } from '../modules/compliance/records/compliance-records.routes.js';
import { BulkRecords } from '../modules/compliance/records/dto/bulk-records.batch.js';
import { runCommand } from './command-context.js';
import { seedDemoCatalogs } from './demo-catalogs.js';
import { demoRecords } from './demo-data.js';

/**
 * `npm run seed:demo [-- --records N --seed S --days D]`: fills the configured database (or the
 * embedded default) with the illustrative catalogs of the demo frameworks and mappings between
 * them, then realistic compliance records on those controls over the last D days, their outbox
 * events and time-series events, through the same services the API uses. Same seed, same day:
 * same data.
 */
function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`seed:demo: --${name} must be a positive integer\n`);
    process.exit(2);
  }
  return value;
}

const count = option('records', 20_000);
const seed = option('seed', 42);
const days = option('days', 90);
runCommand('seed:demo', async ({ app, database }) => {
  const records = app.get(ComplianceRecordsService);
  const transactions = app.get(TransactionContext);
  // Catalogs first: from then on a record's control must exist in its framework's catalog.
  const catalogs = await seedDemoCatalogs(app);
  const data = demoRecords(count, seed, new Date(), days);
  for (let start = 0; start < data.length; start += MAX_BULK_RECORDS) {
    await transactions.run(() => records.createMany(BulkRecords.valid(data.slice(start, start + MAX_BULK_RECORDS))));
  }
  await app.get(OutboxRelay).drain();
  const retention = await app.get<EventsRetention>(EVENTS_RETENTION).maintain();
  process.stdout.write(
    `seeded ${count} records over ${days} days (seed ${seed}) into ${database}; ${catalogs}; ${retention}\n`,
  );
});
