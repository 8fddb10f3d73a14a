import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { type BareSession, benchSession, hashOf, presentedHash, RedisSessions } from './sealed-session';

/**
 * What bounds any session check on this stack: Fastify answering `GET /auth/session` with the
 * least a session lookup needs (`sealed-session.ts`) and the session's public view. With
 * `SESSION_SOURCE=redis` (ioredis, auto-pipelined like the app's client) the session is sealed in
 * Redis, as the app's Redis store keeps it; with `memory` it comes from a Map, as the app's
 * per-process cache serves it while Redis is down. `SESSION_TOKEN` is the one token it seeds.
 */
interface Source {
  find(tokenHash: string): Promise<BareSession | undefined>;
  close(): Promise<void>;
}

async function redisSource(token: string, session: BareSession): Promise<Source> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true });
  const sessions = new RedisSessions(redis, process.env.KEY_PREFIX ?? 'bench:session:');
  await sessions.seed(token, session);
  return {
    find: (tokenHash) => sessions.find(tokenHash),
    close: () => sessions.forget(token).then(() => redis.quit().then(() => undefined)),
  };
}

function memorySource(token: string, session: BareSession): Source {
  const sessions = new Map([[hashOf(token), session]]);
  return {
    find: (tokenHash) => {
      const found = sessions.get(tokenHash);
      return Promise.resolve(found && found.expiresAt > Date.now() ? found : undefined);
    },
    close: () => Promise.resolve(),
  };
}

async function main(): Promise<void> {
  const token = process.env.SESSION_TOKEN ?? '';
  const session = benchSession();
  const source =
    process.env.SESSION_SOURCE === 'memory' ? memorySource(token, session) : await redisSource(token, session);
  const app = Fastify({ logger: false });
  app.get('/auth/session', async (request, reply) => {
    const tokenHash = presentedHash(request.headers.authorization);
    const found = tokenHash ? await source.find(tokenHash) : undefined;
    if (!found) return reply.code(401).send({ status: 401 });
    return {
      ...found,
      createdAt: new Date(found.createdAt).toISOString(),
      lastActivityAt: new Date(found.lastActivityAt).toISOString(),
      expiresAt: new Date(found.expiresAt).toISOString(),
      absoluteExpiresAt: new Date(found.absoluteExpiresAt).toISOString(),
    };
  });
  const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  process.stdout.write(`listening on ${address}\n`);
  process.once('SIGTERM', () => void app.close().then(() => source.close().then(() => process.exit(0))));
}

void main();
