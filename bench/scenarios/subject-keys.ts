import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { createApp } from '../../src/app.factory';
import { FieldCipher } from '../../src/modules/encryption/field-cipher';
import { UsersService } from '../../src/modules/users/users.service';
import { freshDatabase } from '../lib/bench-database';
import { DURATION_SECONDS } from '../lib/load';
import { report } from '../lib/report';

/** Users per envelope; both groups fit the subject key cache (SUBJECT_KEY_CACHE_SIZE, 10,000 by default). */
const USERS = Number(process.env.BENCH_USERS ?? 5_000);
type PiiColumn = 'email' | 'phone' | 'ssn' | 'address' | 'display_name';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const round = (ms: number) => Math.round(ms * 1000) / 1000;

interface Group {
  name: string;
  ids: string[];
  latencies: { read: number[]; lookup: number[] };
}

/**
 * UsersService.findById (a user read: five PII columns opened) and findActiveByEmail (blind index,
 * then the same) for users whose PII is under the keyring (`v2`, before subject keys) and users
 * whose PII is under their own subject key (`s1`), in the same app and run: each iteration reads
 * one user of each group, in random order, so drift on the shared machine hits both alike.
 */
export async function subjectKeys(): Promise<void> {
  const db = await freshDatabase('ck_bench_subject_keys');
  const app = await createApp({
    environment: { NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: db.url, DATA_DIR: '.data/bench' },
  });
  try {
    await app.init();
    const cipher = app.get(FieldCipher);
    const before: Group = { name: 'keyring (v2)', ids: [], latencies: { read: [], lookup: [] } };
    const after: Group = { name: 'subject key (s1)', ids: [], latencies: { read: [], lookup: [] } };
    for (const group of [before, after]) {
      for (let start = 0; start < USERS; start += 1_000) {
        const ids = Array.from({ length: Math.min(1_000, USERS - start) }, () => randomUUID());
        const values = (id: string, i: number) => ({
          email: `${group === before ? 'v2' : 's1'}.user${start + i}@example.com`,
          phone: `+1415555${String(i).padStart(4, '0')}`,
          ssn: '123-45-6789',
          address: `${i} Main St`,
          display_name: `User ${i}`,
        });
        const keys = ids.map(() => randomBytes(32));
        const seal = (id: string, i: number, column: PiiColumn) => {
          const row = { table: 'users', column, id };
          const plaintext = values(id, i)[column];
          return group === before
            ? cipher.encryptRow(plaintext, row)
            : cipher.encryptForSubject(plaintext, row, { subjectId: id, key: createSecretKey(keys[i]) });
        };
        if (group === after) {
          await db.client.query(`INSERT INTO subject_keys (id, wrapped) SELECT * FROM unnest($1::uuid[], $2::text[])`, [
            ids,
            ids.map((id, i) =>
              cipher.encryptRow(keys[i].toString('base64'), { table: 'subject_keys', column: 'wrapped', id }),
            ),
          ]);
        }
        await db.client.query(
          `INSERT INTO users (id, email, email_index, phone, ssn, address, display_name, role, status, password_hash)
           SELECT id, e, i, p, s, a, d, 'analyst', 'active', 'scrypt$1$1$1$AA$AA'
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
               AS v(id, e, i, p, s, a, d)`,
          [
            ids,
            ids.map((id, i) => seal(id, i, 'email')),
            ids.map((id, i) => cipher.blindIndex(values(id, i).email)),
            ...(['phone', 'ssn', 'address', 'display_name'] as const).map((column) =>
              ids.map((id, i) => seal(id, i, column)),
            ),
          ],
        );
        group.ids.push(...ids);
      }
    }
    await db.client.query('ANALYZE users');
    await db.client.query('ANALYZE subject_keys');

    const users = app.get(UsersService);
    const emailOf = (group: Group, index: number) => `${group === before ? 'v2' : 's1'}.user${index}@example.com`;
    const measure = async (group: Group, kind: 'read' | 'lookup') => {
      const index = Math.floor(Math.random() * USERS);
      const started = performance.now();
      const user =
        kind === 'read' ? await users.findById(group.ids[index]) : await users.findActiveByEmail(emailOf(group, index));
      group.latencies[kind].push(performance.now() - started);
      if (typeof user?.email !== 'string' || typeof user.displayName !== 'string') {
        throw new Error(`${group.name} ${kind} did not open the user`);
      }
    };
    // One untimed pass fills the subject key cache, as a running app's would be for its active users.
    for (const group of [before, after]) for (let i = 0; i < USERS; i++) await measure(group, 'read');
    for (const group of [before, after]) group.latencies = { read: [], lookup: [] };

    for (const kind of ['read', 'lookup'] as const) {
      const deadline = performance.now() + DURATION_SECONDS * 1000;
      while (performance.now() < deadline) {
        const order = Math.random() < 0.5 ? [before, after] : [after, before];
        for (const group of order) await measure(group, kind);
      }
    }

    const stats = (group: Group, kind: 'read' | 'lookup') => {
      const sorted = [...group.latencies[kind]].sort((a, b) => a - b);
      return { count: sorted.length, p50: round(percentile(sorted, 0.5)), p99: round(percentile(sorted, 0.99)) };
    };
    const rows = [before, after].flatMap((group) =>
      (['read', 'lookup'] as const).map((kind) => ({
        name: `${kind === 'read' ? 'findById' : 'findActiveByEmail'}, ${group.name}, ${USERS} users`,
        calls: stats(group, kind).count,
        p50Ms: stats(group, kind).p50,
        p99Ms: stats(group, kind).p99,
      })),
    );
    const label = { read: 'user read', lookup: 'email lookup' };
    const summary = (['read', 'lookup'] as const).flatMap((kind) =>
      (['p50', 'p99'] as const).map((p) => ({
        metric: `${label[kind]} ${p}, PII under subject keys (cached), ${USERS} users`,
        value: stats(after, kind)[p],
        baseline: stats(before, kind)[p],
        baselineLabel: 'PII under the keyring, same run',
        unit: 'ms',
      })),
    );
    report({ benchmark: 'subject-keys', rows, summary });
  } finally {
    await app.close();
    await db.drop();
  }
}
