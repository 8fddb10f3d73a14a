import { isURL, ValidateBy } from 'class-validator';

/**
 * Postgres URLs as libpq reads them, which node-postgres does not: a host list
 * (`postgres://user@h1:5432,h2:5432/db`) and, for DATABASE_REPLICA_URLS, a comma-separated list
 * of URLs. Pure functions: the config validates with them, the database layer connects with them.
 */

const SCHEME = /^postgres(?:ql)?:\/\//;
/** scheme, optional `user[:password]@`, the host list, then path and query. */
const PARTS = /^(postgres(?:ql)?:\/\/)([^@/?#]*@)?([^/?#]*)(.*)$/;

/** One single-host URL per host of `url`, in the order given; a single-host URL comes back alone. */
export function expandHostList(url: string): string[] {
  const parts = PARTS.exec(url);
  if (!parts) return [url];
  const [, scheme, credentials = '', hosts, rest] = parts;
  return hosts.split(',').map((host) => `${scheme}${credentials}${host}${rest}`);
}

/** DATABASE_REPLICA_URLS: URLs separated by commas (a comma inside a URL would start a host list). */
export function splitUrlList(value: string): string[] {
  return value
    .split(/,(?=\s*postgres(?:ql)?:\/\/)/)
    .map((url) => url.trim())
    .filter(Boolean);
}

/** A postgres:// URL, each of whose hosts makes a valid URL on its own. */
export function isPostgresUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !SCHEME.test(value)) return false;
  return expandHostList(value).every((single) =>
    isURL(single, { protocols: ['postgres', 'postgresql'], require_tld: false, require_host: false }),
  );
}

/** `host:port` of a single-host URL, for logs and metric labels: never its credentials. */
export function hostAndPort(url: string): string {
  try {
    const { hostname, port } = new URL(url);
    return `${hostname}:${port || 5432}`;
  } catch {
    return 'unparseable';
  }
}

export const IsPostgresUrl = () =>
  ValidateBy({
    name: 'isPostgresUrl',
    validator: { validate: isPostgresUrl, defaultMessage: () => 'must be a postgres:// URL' },
  });

export const IsSingleHostPostgresUrlList = () =>
  ValidateBy({
    name: 'isSingleHostPostgresUrlList',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        splitUrlList(value).length > 0 &&
        splitUrlList(value).every((url) => isPostgresUrl(url) && expandHostList(url).length === 1),
      defaultMessage: () => 'must be comma-separated single-host postgres:// URLs',
    },
  });
