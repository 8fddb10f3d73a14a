import Fastify from 'fastify';
import { Pool } from 'pg';

/**
 * The baseline a user would otherwise pick: Fastify and `pg` reading one record by primary key
 * from the same database, with the app's pool size; no auth, no cache, notes left as stored.
 */
async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_MAX ?? 10) });
  const app = Fastify({ logger: false });
  app.get<{ Params: { id: string } }>('/compliance/records/:id', async (request, reply) => {
    const { rows } = await pool.query(
      `SELECT id, entity_id, framework, control_id, status, score, details, evidence_notes, assessed_at,
              created_at, updated_at, version
         FROM compliance_records WHERE id = $1 AND deleted_at IS NULL`,
      [request.params.id],
    );
    if (!rows.length) return reply.code(404).send({ status: 404 });
    return rows[0];
  });
  const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  process.stdout.write(`listening on ${address}\n`);
  process.once('SIGTERM', () => void app.close().then(() => pool.end().then(() => process.exit(0))));
}

void main();
