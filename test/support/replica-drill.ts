import type { AppReplicaSet, ReplicaLife } from './app-replicas.js';
import type { TestDatabase } from './database.js';
import { aRecord } from './builders/compliance-record.builder.js';
import { call, inTurn, Outcome } from './drill-load.js';

export interface Credentials {
  email: string;
  password: string;
}

/** The id HAProxy logs for a load request: its tag, so a failure can be traced to its server. */
export const requestIdOf = (tag: string) => `drill-${tag}`;

const BULK_SIZE = 20;

/**
 * The drill's traffic through the proxy, taken in turn: logins, session checks, single and bulk
 * record writes (tags `w-<n>`, `bulk-<n>`; their answers carry the ids), cached reads, lists and
 * full-text search. Every request names itself in `X-Request-Id`.
 */
export function mixedLoad(base: string, token: string, login: Credentials, ids: string[]) {
  const send = (method: string, path: string, tag: string, body?: unknown, withToken = true) =>
    call(base, method, path, tag, {
      body,
      token: withToken ? token : undefined,
      headers: { 'x-request-id': requestIdOf(tag) },
    });
  return inTurn([
    (n) => send('POST', '/auth/login', `login-${n}`, login, false),
    (n) => send('GET', '/auth/session', `session-${n}`),
    (n) => send('POST', '/compliance/records', `w-${n}`, aRecord()),
    (n) => send('GET', `/compliance/records/${ids[n % ids.length]}`, `read-${n}`),
    (n) =>
      send('POST', '/compliance/records/bulk', `bulk-${n}`, {
        records: Array.from({ length: BULK_SIZE }, () => aRecord({ framework: 'SOC2' })),
      }),
    (n) => send('GET', '/search?q=GDPR', `search-${n}`),
    (n) => send('GET', '/compliance/records?limit=5', `list-${n}`),
    (n) => send('POST', '/compliance/records', `w-${n}`, aRecord({ status: 'failed', score: 10 })),
  ]);
}

/** Ids of every record a 201 acknowledged (single writes and bulk). */
export function acknowledgedRecordIds(outcomes: Outcome[]): string[] {
  return outcomes.flatMap((o) => {
    if (o.status !== 201) return [];
    if (o.tag.startsWith('w-')) return [JSON.parse(o.body!).id as string];
    if (o.tag.startsWith('bulk-')) return JSON.parse(o.body!).ids as string[];
    return [];
  });
}

/** Acknowledged records that the database does not have. */
export async function lostWrites(db: TestDatabase, outcomes: Outcome[]): Promise<string[]> {
  const acknowledged = acknowledgedRecordIds(outcomes);
  const rows = await db.query<{ id: string }>('SELECT id FROM compliance_records WHERE id = ANY($1)', [acknowledged]);
  const stored = new Set(rows.map((row) => row.id));
  return acknowledged.filter((id) => !stored.has(id));
}

export interface Receipt {
  at: number;
  ids: string[];
}

/** Ids received more than once, with the time of their first receipt. */
export function repeatedIds(receipts: Receipt[]): { id: string; firstAt: number }[] {
  const first = new Map<string, number>();
  const repeated: { id: string; firstAt: number }[] = [];
  for (const { at, ids } of receipts) {
    for (const id of ids) {
      if (first.has(id)) repeated.push({ id, firstAt: first.get(id)! });
      else first.set(id, at);
    }
  }
  return repeated;
}

export function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** A request that was under way on a replica's process when it was killed. */
export const inFlightAt = (life: ReplicaLife) => (o: Outcome) =>
  o.startedAt <= life.diedAt! && o.startedAt + o.ms >= life.killedAt!;

export interface RevocationProbe {
  revokedOn: number;
  checkedOn: number;
  before: number;
  after: number;
  /** From the logout's answer to the other replica's. */
  afterMs: number;
}

/**
 * Logs in on replica `on` directly, checks the session on each of `others` (200), logs out on
 * `on`, and at once asks each of the others again: they must answer 401.
 */
export async function probeRevocation(
  set: AppReplicaSet,
  on: number,
  others: number[],
  user: Credentials,
): Promise<RevocationProbe[]> {
  const login = await call(set.url(on), 'POST', '/auth/login', 'probe-login', { body: user });
  if (login.status !== 200) throw new Error(`probe login on replica ${on}: ${login.status} ${login.body}`);
  const { token } = JSON.parse(login.body!) as { token: string };
  const before = await Promise.all(
    others.map(async (i) => (await call(set.url(i), 'GET', '/auth/session', 'probe', { token })).status!),
  );
  const logout = await call(set.url(on), 'POST', '/auth/logout', 'probe-logout', { token });
  if (logout.status !== 204) throw new Error(`probe logout on replica ${on}: ${logout.status}`);
  const loggedOutAt = Date.now();
  return Promise.all(
    others.map(async (i, k) => {
      const after = await call(set.url(i), 'GET', '/auth/session', 'probe', { token });
      return {
        revokedOn: on,
        checkedOn: i,
        before: before[k],
        after: after.status!,
        afterMs: Date.now() - loggedOutAt,
      };
    }),
  );
}
