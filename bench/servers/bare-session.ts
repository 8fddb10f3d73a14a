import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { Redis } from 'ioredis';

/**
 * What bounds any session check on this stack: Fastify answering `GET /auth/session` with the
 * least a session lookup needs. It hashes the bearer token, finds the session, checks its expiry
 * and returns its public view. With `SESSION_SOURCE=redis` (ioredis, auto-pipelined like the
 * app's client) the session is read from `KEY_PREFIX<hash>` and opened with AES-256-GCM bound to
 * the hash, as the app's Redis store does; with `memory` it comes from a Map, as the app's
 * per-process cache serves it while Redis is down. No rate limit, device check, log line or
 * fallback. `SESSION_TOKEN` is the one token it seeds at start.
 */
const BEARER = /^Bearer ([A-Za-z0-9_-]{16,128})$/;
const key = randomBytes(32);
const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

function seal(plaintext: string, binding: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(binding));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(sealed: Buffer, binding: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12)).setAAD(Buffer.from(binding));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
}

type BareSession = Record<string, string | number> & { expiresAt: number };

/** Where sessions are kept: sealed in Redis, or as they are in this process. */
interface Source {
  find(tokenHash: string): Promise<BareSession | undefined>;
  close(): Promise<void>;
}

async function redisSource(tokenHash: string, session: BareSession): Promise<Source> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true });
  const prefix = process.env.KEY_PREFIX ?? 'bench:session:';
  await redis.set(prefix + tokenHash, seal(JSON.stringify(session), tokenHash), 'PX', 3_600_000);
  return {
    async find(hash) {
      const sealed = await redis.getBuffer(prefix + hash);
      return sealed ? (JSON.parse(open(sealed, hash)) as BareSession) : undefined;
    },
    close: () => redis.del(prefix + tokenHash).then(() => redis.quit().then(() => undefined)),
  };
}

function memorySource(tokenHash: string, session: BareSession): Source {
  const sessions = new Map([[tokenHash, session]]);
  return { find: (hash) => Promise.resolve(sessions.get(hash)), close: () => Promise.resolve() };
}

async function main(): Promise<void> {
  const token = process.env.SESSION_TOKEN ?? '';
  const now = Date.now();
  const session: BareSession = {
    id: '0193a0c2-7d1e-7a55-9a51-2b7f3c9d4e10',
    userId: '0193a0c2-7d1e-7a55-9a51-2b7f3c9d4e11',
    role: 'admin',
    createdAt: now,
    lastActivityAt: now,
    expiresAt: now + 3_600_000,
    absoluteExpiresAt: now + 3_600_000,
    ip: '127.0.0.1',
    userAgent: 'compliance-kit-bench',
    deviceFingerprint: hashOf('compliance-kit-bench|en'),
  };
  const tokenHash = hashOf(token);
  const source =
    process.env.SESSION_SOURCE === 'memory' ? memorySource(tokenHash, session) : await redisSource(tokenHash, session);

  const app = Fastify({ logger: false });
  app.get('/auth/session', async (request, reply) => {
    const presented = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const hash = presented ? hashOf(presented) : undefined;
    const found = hash ? await source.find(hash) : undefined;
    if (!found || found.expiresAt <= Date.now()) return reply.code(401).send({ status: 401 });
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
