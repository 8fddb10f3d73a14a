import { appendFileSync, chmodSync, chownSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, SparePostgres, userIds } from './spare-services.js';
import type { IssuedCertificate } from './tls-certificates.js';

export interface PostgresTlsServer {
  /** The server's certificate and key. */
  certificate: IssuedCertificate;
  /** The CA client certificates must chain to. */
  caFile: string;
  /** pg_hba's `clientcert=verify-full`: a client certificate for the connecting user, or no connection. */
  clientCert?: boolean;
}

/**
 * A throwaway PostgreSQL 15 that takes TCP connections over TLS only (`hostssl`, no `host` line):
 * a client that silently connected in plain text gets nowhere. The test's own admin work goes
 * through the Unix socket (`adminUrl`). Every connection is logged with its TLS state.
 */
export class SpareTlsPostgres extends SparePostgres {
  private constructor(
    port: number,
    private readonly tls: PostgresTlsServer,
  ) {
    super(port);
  }

  static async start(tls: PostgresTlsServer): Promise<SpareTlsPostgres> {
    const server = new SpareTlsPostgres(await freePort(), tls);
    try {
      await server.init();
      await server.start();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  /** `postgres` on the Unix socket: trusted, and no TLS involved. */
  get adminUrl(): string {
    return `postgres://postgres@localhost/postgres?host=${encodeURIComponent(this.dir)}&port=${this.port}`;
  }

  /** `database` over TCP on `host` (which the certificate may or may not name). */
  tcpUrl(database: string, host = '127.0.0.1'): string {
    return `postgres://postgres@${host}:${this.port}/${database}`;
  }

  /** The server log: one `connection authorized: … SSL enabled (…)` line per connection. */
  log(): string {
    return readFileSync(join(this.dir, 'log'), 'utf8');
  }

  override async init(): Promise<void> {
    await super.init();
    const data = join(this.dir, 'data');
    const { uid, gid } = userIds('postgres');
    const place = (from: string, name: string, mode: number) => {
      copyFileSync(from, join(data, name));
      chownSync(join(data, name), uid, gid);
      chmodSync(join(data, name), mode);
    };
    place(this.tls.certificate.certFile, 'server.pem', 0o644);
    place(this.tls.certificate.keyFile, 'server.key', 0o600);
    place(this.tls.caFile, 'client-ca.pem', 0o644);
    appendFileSync(
      join(data, 'postgresql.conf'),
      ['ssl = on', "ssl_cert_file = 'server.pem'", "ssl_key_file = 'server.key'", "ssl_ca_file = 'client-ca.pem'"]
        .concat('log_connections = on', '')
        .join('\n'),
    );
    const tcp = `hostssl all all 127.0.0.1/32 trust${this.tls.clientCert ? ' clientcert=verify-full' : ''}`;
    writeFileSync(join(data, 'pg_hba.conf'), ['local all all trust', tcp, ''].join('\n'));
  }
}
