import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import type { RouteFacts, RouteScoped } from '../../common/route-pipeline.js';
import { AppConfig } from '../../config/app-config.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { orderedLsn } from './lsn.js';
import { TransactionContext } from './transaction-context.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** A mark no replica reaches: the caller reads from the primary until it expires. */
export const PRIMARY_ONLY = 'FFFFFFFFFFFFFFFF';
const MAX_LOCAL_CALLERS = 50_000;
/** A mark older than this is dropped: any replica still that far behind is skipped for lag anyway. */
const MIN_MARK_TTL_MS = 60_000;
/** Keeps the greater of the stored and the new position: concurrent writes of one caller race. */
const KEEP_GREATER = `local c = redis.call('GET', KEYS[1])
if not c or c < ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/**
 * The primary's WAL position after each caller's last write, so that the caller's next reads
 * are served only by a replica that has replayed it (`ReplicaRouter`). A caller is whoever sends
 * the same credentials (bearer token or API key), or the same address when it sends none. Marks
 * are kept in this process and, with Redis, shared by every instance, so a caller whose next
 * request reaches another instance is covered too; when Redis fails to answer, the caller reads
 * from the primary.
 */
@Injectable()
export class WriteMarks {
  private readonly caller = new AsyncLocalStorage<string>();
  private readonly local = new Map<string, { lsn: string; at: number }>();
  private readonly ttlMs: number;
  private readonly prefix: string;

  constructor(
    config: AppConfig,
    private readonly redis: RedisConnection,
  ) {
    this.ttlMs = Math.max(MIN_MARK_TTL_MS, 6 * config.database.replicas.maxLagMs);
    this.prefix = `${config.queuePrefix}:read-after:`;
  }

  runAs<T>(caller: string, work: () => Promise<T>): Promise<T> {
    return this.caller.run(caller, work);
  }

  /** The position (ordered, `orderedLsn`) the current caller's reads must see, if it wrote lately. */
  async current(): Promise<string | undefined> {
    const caller = this.caller.getStore();
    if (caller === undefined) return undefined;
    const local = this.local.get(caller);
    if (local && Date.now() - local.at > this.ttlMs) this.local.delete(caller);
    else if (local) return local.lsn;
    if (!this.redis.client) return undefined;
    try {
      return (await this.redis.client.get(this.prefix + caller)) ?? undefined;
    } catch {
      return PRIMARY_ONLY;
    }
  }

  async record(caller: string, lsn: string): Promise<void> {
    const previous = this.local.get(caller)?.lsn;
    const kept = previous && previous > lsn ? previous : lsn;
    this.local.delete(caller);
    this.local.set(caller, { lsn: kept, at: Date.now() });
    if (this.local.size > MAX_LOCAL_CALLERS) this.local.delete(this.local.keys().next().value!);
    await this.redis.client
      ?.eval(KEEP_GREATER, 1, this.prefix + caller, lsn, String(this.ttlMs))
      .catch(() => undefined);
  }
}

/** Who is asking, as a digest: credentials are never kept. */
export function callerOf(request: FastifyRequest): string {
  const credentials = request.headers.authorization ?? request.headers['x-api-key'];
  const key = credentials ? `c:${String(credentials)}` : `ip:${request.ip}`;
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

/**
 * Runs each request as its caller and, once a mutating request's transaction has committed,
 * marks the caller with the primary's WAL position. Only when replicas are configured.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor, RouteScoped {
  private readonly enabled: boolean;

  constructor(
    private readonly marks: WriteMarks,
    @InjectDataSource() private readonly primary: DataSource,
    private readonly transactions: TransactionContext,
    config: AppConfig,
  ) {
    this.enabled = config.database.replicas.urls.length > 0;
  }

  /** Every route's reads may go to a replica, so every route, but only when there are replicas. */
  appliesTo(_route: RouteFacts): boolean {
    return this.enabled;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.enabled || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const caller = callerOf(request);
    const handle = () => lastValueFrom(next.handle(), { defaultValue: undefined });
    if (!MUTATING.has(request.method)) return from(this.marks.runAs(caller, handle));
    return from(
      this.marks.runAs(caller, async () => {
        try {
          return await handle();
        } finally {
          // At once when the request's transaction is over; after its commit if an interceptor
          // outside this one still holds it open (never on rollback: nothing was written).
          await this.transactions.afterCommit(() => this.mark(caller));
        }
      }),
    );
  }

  private async mark(caller: string): Promise<void> {
    let lsn = PRIMARY_ONLY;
    try {
      const [row] = await this.primary.query<{ lsn: string }[]>('SELECT pg_current_wal_lsn()::text AS lsn');
      lsn = orderedLsn(row.lsn);
    } catch {
      // The position is unknown, and the write may have committed all the same: primary only.
    }
    await this.marks.record(caller, lsn);
  }
}
