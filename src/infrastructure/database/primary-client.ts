import { Client, type ClientConfig } from 'pg';
import { expandHostList, hostAndPort } from '../../config/postgres-urls.js';
import { isTlsFailure, type PgSsl } from './postgres-tls.js';

const RETRY_MS = 200;
const PROBE_TIMEOUT_MS = 1_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

interface Target {
  url: string;
  name: string;
}

/**
 * Which host of a list is the read-write one, as libpq's `target_session_attrs=read-write` finds
 * it: each host in order, the first that accepts and is not in recovery. Remembered until a
 * connection to it fails or finds a standby, so steady-state connects probe nothing; after a
 * failover the next connect probes again, retrying the list until its deadline, so requests that
 * arrive while a replica is promoted wait for it instead of failing.
 */
class PrimaryLocator {
  private known?: Target;
  private finding?: Promise<Target>;

  constructor(
    readonly targets: Target[],
    readonly ssl: PgSsl,
  ) {}

  locate(deadline: number): Promise<Target> {
    if (this.known) return Promise.resolve(this.known);
    this.finding ??= this.find(deadline).finally(() => (this.finding = undefined));
    return this.finding;
  }

  lost(target: Target): void {
    if (this.known === target) this.known = undefined;
  }

  private async find(deadline: number): Promise<Target> {
    for (;;) {
      let tlsFailure: Error | undefined;
      for (const target of this.targets) {
        const found = await isReadWrite(target, deadline, this.ssl);
        if (found === true) return (this.known = target);
        if (typeof found === 'object') tlsFailure ??= found;
      }
      if (Date.now() + RETRY_MS >= deadline) {
        // A certificate refused on the way is the likelier reason, and says what to fix.
        const names = this.targets.map((t) => t.name).join(', ');
        throw new Error(`no read-write PostgreSQL among ${names}${tlsFailure ? ` (${tlsFailure.message})` : ''}`, {
          cause: tlsFailure,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

/** True for the read-write server; a TLS failure comes back as the error, anything else as false. */
async function isReadWrite(target: Target, deadline: number, ssl: PgSsl): Promise<boolean | Error> {
  const timeout = Math.max(1, Math.min(PROBE_TIMEOUT_MS, deadline - Date.now()));
  const probe = new Client({
    connectionString: target.url,
    connectionTimeoutMillis: timeout,
    application_name: 'compliance-kit:probe',
    ssl,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    const { rows } = await probe.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
    return !rows[0].standby;
  } catch (error) {
    return isTlsFailure(error) ? (error as Error) : false;
  } finally {
    await probe.end().catch(() => undefined);
  }
}

type Callback = ((error: Error) => void) | ((error: null, client: Client) => void);
const locators = new Map<string, PrimaryLocator>();

export interface HostListOptions {
  connectTimeoutMs?: number;
  /** The probes connect as the pool does. */
  ssl?: PgSsl;
}

/**
 * A `pg.Client` class for `url` when it lists several hosts (pg-pool takes it as its `Client`
 * option), extending `base`, or undefined for a single host: node-postgres connects to one host
 * only. Every client of the same list and TLS settings shares one locator.
 */
export function hostListClient(
  url: string,
  { connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, ssl = false }: HostListOptions = {},
  base: typeof Client = Client,
): typeof Client | undefined {
  const urls = expandHostList(url);
  if (urls.length < 2) return undefined;
  let locator = locators.get(url);
  if (!locator || locator.ssl !== ssl) {
    locator = new PrimaryLocator(
      urls.map((single) => ({ url: single, name: hostAndPort(single) })),
      ssl,
    );
    locators.set(url, locator);
  }
  const shared = locator;

  return class HostListClient extends base {
    override connect(): Promise<Client>;
    override connect(callback: Callback): void;
    override connect(callback?: Callback): Promise<Client> | void {
      const connecting = this.connectToPrimary();
      if (!callback) return connecting;
      connecting.then(
        (client) => (callback as (error: null, client: Client) => void)(null, client),
        (error: Error) => (callback as (error: Error) => void)(error),
      );
    }

    private async connectToPrimary(): Promise<Client> {
      const target = await shared.locate(Date.now() + connectTimeoutMs);
      const { hostname, port } = new URL(target.url);
      const self = this as unknown as {
        host: string;
        port: number;
        connection: NodeJS.EventEmitter & { stream: { destroyed: boolean } };
      };
      // pg-pool's connection timeout destroys the socket; it may have fired while the list was probed.
      if (self.connection.stream.destroyed) throw new Error('timeout expired');
      self.host = hostname.replace(/^\[(.*)\]$/, '$1');
      self.port = Number(port || 5432);
      // Postgres ≥ 14 reports this at startup: a standby is recognised without a query.
      let standby = false;
      self.connection.on('parameterStatus', (message: { parameterName: string; parameterValue: string }) => {
        if (message.parameterName === 'in_hot_standby') standby = message.parameterValue === 'on';
      });
      this.on('error', () => shared.lost(target));
      try {
        await super.connect();
      } catch (error) {
        shared.lost(target);
        throw error;
      }
      if (standby) {
        shared.lost(target);
        await this.end().catch(() => undefined);
        throw new Error(`${target.name} is a standby, not the read-write primary`);
      }
      return this;
    }
  };
}

/** A client for `url`, a single host or a host list, with `config` (its `ssl` too) on top. */
export function primaryClient(url: string, config: Omit<ClientConfig, 'ssl'> & { ssl?: PgSsl } = {}): Client {
  const [first] = expandHostList(url);
  const ssl = config.ssl ?? false;
  const HostList = hostListClient(url, { connectTimeoutMs: config.connectionTimeoutMillis || undefined, ssl });
  return HostList
    ? new HostList({ ...config, ssl, connectionString: first })
    : new Client({ ...config, ssl, connectionString: url });
}
