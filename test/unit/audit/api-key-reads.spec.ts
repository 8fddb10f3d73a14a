import Fastify, { type FastifyInstance } from 'fastify';
import type { AuthenticatedUser } from '../../../src/common/auth/roles';
import { auditApiKeyReads } from '../../../src/modules/audit/api-key-reads';
import type { AuditEventInput } from '../../../src/modules/audit/audit-event';
import type { AuditService } from '../../../src/modules/audit/audit.service';

const KEY: AuthenticatedUser = { kind: 'api-key', id: 'key-1', role: 'auditor' } as AuthenticatedUser;
const SESSION: AuthenticatedUser = {
  kind: 'session',
  id: 'user-1',
  role: 'auditor',
  sessionId: 's',
} as AuthenticatedUser;

/** A Fastify app with the hook and routes whose caller is set the way the session guard sets it. */
async function appWith(record: (input: AuditEventInput) => Promise<unknown>): Promise<FastifyInstance> {
  const fastify = Fastify({ logger: false });
  auditApiKeyReads(fastify, { recordDetached: record } as unknown as AuditService);
  fastify.addHook('preHandler', (request, _reply, done) => {
    const caller = request.headers['x-caller'];
    if (caller) Object.assign(request, { user: caller === 'key' ? KEY : SESSION });
    done();
  });
  fastify.get('/records/:id', (request, reply) =>
    (request.params as { id: string }).id === 'missing' ? reply.code(404).send({}) : reply.send({ ok: true }),
  );
  fastify.post('/records', () => ({ ok: true }));
  fastify.get('/health/live', () => ({ status: 'ok' }));
  await fastify.ready();
  return fastify;
}

describe('auditApiKeyReads', () => {
  it('records a successful read made with a key, before the response, with the key as actor', async () => {
    const recorded: AuditEventInput[] = [];
    const app = await appWith(async (input) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      recorded.push(input);
    });
    const res = await app.inject({ url: '/records/r1', headers: { 'x-caller': 'key', 'user-agent': 'ua' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(recorded).toEqual([
      expect.objectContaining({
        action: 'http.get',
        actorId: 'key-1',
        details: { method: 'GET', route: '/records/:id', actorRole: 'auditor', actorKind: 'api-key' },
      }),
    ]);
    await app.close();
  });

  it('records a HEAD made with a key once, as http.head', async () => {
    const recorded: AuditEventInput[] = [];
    const app = await appWith(async (input) => void recorded.push(input));
    const res = await app.inject({ method: 'HEAD', url: '/records/r1', headers: { 'x-caller': 'key' } });
    expect(res.statusCode).toBe(200);
    expect(recorded.map((event) => event.action)).toEqual(['http.head']);
    await app.close();
  });

  it('records nothing for reads with a session, failed reads, writes and probes', async () => {
    const recorded: AuditEventInput[] = [];
    const app = await appWith(async (input) => void recorded.push(input));
    await app.inject({ url: '/records/r1', headers: { 'x-caller': 'session' } });
    await app.inject({ url: '/records/missing', headers: { 'x-caller': 'key' } });
    await app.inject({ method: 'POST', url: '/records', headers: { 'x-caller': 'key' } });
    await app.inject({ url: '/health/live', headers: { 'x-caller': 'key' } });
    expect(recorded).toEqual([]);
    await app.close();
  });

  it('fails the read with a problem document when its event cannot be recorded', async () => {
    const app = await appWith(() =>
      Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    );
    const res = await app.inject({ url: '/records/r1?x=1', headers: { 'x-caller': 'key' } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json()).toMatchObject({
      type: '/problems/dependency-unavailable',
      status: 503,
      instance: '/records/r1',
    });
    expect(res.body).not.toContain('ok');
    await app.close();
  });
});
