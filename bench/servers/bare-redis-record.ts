import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { benchSession, presentedHash, RedisSessions } from './sealed-session';

/**
 * What bounds any cache on this stack: Fastify and ioredis (auto-pipelined, like the app's
 * client) returning a record's JSON stored under `KEY_PREFIX<id>` as it is. With `SESSION_TOKEN`
 * set, each request first passes the least session check (`sealed-session.ts`, a second Redis
 * read), as the app's authenticated route must; without it, no auth.
 */
async function main(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true });
  const prefix = process.env.KEY_PREFIX ?? 'bench:record:';
  const token = process.env.SESSION_TOKEN;
  const sessions = token ? new RedisSessions(redis, `${prefix}session:`) : undefined;
  if (token) await sessions?.seed(token, benchSession());
  const app = Fastify({ logger: false });
  app.get<{ Params: { id: string } }>('/compliance/records/:id', async (request, reply) => {
    if (sessions) {
      const tokenHash = presentedHash(request.headers.authorization);
      if (!tokenHash || !(await sessions.find(tokenHash))) return reply.code(401).send({ status: 401 });
    }
    const body = await redis.getBuffer(prefix + request.params.id);
    if (!body) return reply.code(404).send({ status: 404 });
    return reply.type('application/json; charset=utf-8').send(body);
  });
  const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  process.stdout.write(`listening on ${address}\n`);
  process.once('SIGTERM', () => void app.close().then(() => redis.quit().then(() => process.exit(0))));
}

void main();
