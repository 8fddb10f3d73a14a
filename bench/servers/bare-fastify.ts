import Fastify from 'fastify';

/** The baseline: the same HTTP stack with one route and nothing else. */
async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.get('/health/live', async () => ({ status: 'ok' }));
  const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  process.stdout.write(`listening on ${address}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
