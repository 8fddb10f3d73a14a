import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { IssuedCertificate } from './tls-certificates.js';

/** What the stub was sent, for tests of the client's request shapes. */
export interface StubRequest {
  method: string;
  path: string;
  authorization?: string;
}

/**
 * Just enough of an Elasticsearch 9 node for the app's sync path: cluster health, alias checks
 * (every alias exists) and `_bulk` (every item accepted, ids remembered). Searches answer 503, so
 * the app falls back to Postgres for them. `stop()` makes the port refuse; `start()` brings it back.
 * With a certificate it serves HTTPS only.
 */
export class ElasticsearchStub {
  readonly indexedIds = new Set<string>();
  readonly requests: StubRequest[] = [];
  private server?: Server;

  constructor(
    readonly port: number,
    private readonly certificate?: IssuedCertificate,
  ) {}

  get url(): string {
    return `${this.certificate ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  start(): Promise<void> {
    const listener = (req: IncomingMessage, res: ServerResponse) => void this.answer(req, res);
    const server = this.certificate
      ? createTlsServer(
          { cert: readFileSync(this.certificate.certFile), key: readFileSync(this.certificate.keyFile) },
          listener,
        )
      : createServer(listener);
    this.server = server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const path = new URL(req.url ?? '/', this.url).pathname;
    this.requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization });
    if (path === '/_cluster/health')
      return reply(res, 200, { cluster_name: 'stub', status: 'green', number_of_nodes: 1 });
    if (req.method === 'HEAD' && path.startsWith('/_alias/')) return reply(res, 200);
    if (path === '/_bulk') return reply(res, 200, this.bulk(body));
    return reply(res, 503, { error: { type: 'stub', reason: 'searches go to Postgres in this drill' }, status: 503 });
  }

  private bulk(ndjson: string) {
    const lines = ndjson
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, { _id?: string }>);
    const items: Record<string, { _id?: string; status: number }>[] = [];
    for (let i = 0; i < lines.length; i++) {
      const [action, target] = Object.entries(lines[i])[0];
      if (action === 'index' && target._id) this.indexedIds.add(target._id);
      if (action === 'index') i++;
      items.push({ [action]: { _id: target._id, status: 200 } });
    }
    return { took: 1, errors: false, items };
  }
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}
