import { ConfigurationError } from './configuration-error.js';
import type { Environment } from './environment.js';

export interface HostPort {
  host: string;
  port: number;
}

/** Where Redis is: one server (REDIS_URL), a master found through Sentinel, or a Cluster. */
export type RedisTopology =
  | { kind: 'standalone'; url: string }
  | {
      kind: 'sentinel';
      sentinels: HostPort[];
      masterName: string;
      /** The sentinels' own credentials (their ACL user, or `requirepass` alone). */
      sentinelUsername?: string;
      sentinelPassword?: string;
    }
  | { kind: 'cluster'; nodes: HostPort[] };

export interface RedisSettings {
  topology: RedisTopology;
  /** Credentials of the data nodes from REDIS_USERNAME/REDIS_PASSWORD (REDIS_URL's own stay in the URL). */
  username?: string;
  password?: string;
  /** Set when TLS is on (rediss:// or REDIS_TLS); `caFile` replaces Node's built-in CAs. */
  tls?: { caFile?: string };
}

const TOPOLOGY_VARIABLES = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const;

const invalid = (message: string) => new ConfigurationError(`Invalid configuration: ${message}`);

/**
 * The Redis settings the variables describe, or undefined when Redis is off. Throws one line
 * naming the variable for a combination that cannot work; values (passwords) are never echoed.
 */
export function redisSettings(env: Environment): RedisSettings | undefined {
  const given = TOPOLOGY_VARIABLES.filter((name) => env[name] !== undefined);
  if (given.length > 1) throw invalid(`${given[1]} cannot be combined with ${given[0]}: pick one Redis topology`);
  const sentinels = env.REDIS_SENTINELS;
  if (env.REDIS_SENTINEL_NAME && !sentinels) throw invalid('REDIS_SENTINEL_NAME needs REDIS_SENTINELS');
  if (env.REDIS_SENTINEL_PASSWORD && !sentinels) throw invalid('REDIS_SENTINEL_PASSWORD needs REDIS_SENTINELS');
  if (env.REDIS_SENTINEL_USERNAME && !env.REDIS_SENTINEL_PASSWORD) {
    throw invalid('REDIS_SENTINEL_USERNAME needs REDIS_SENTINEL_PASSWORD');
  }
  if (sentinels && !env.REDIS_SENTINEL_NAME) throw invalid('REDIS_SENTINEL_NAME is required with REDIS_SENTINELS');
  if (env.REDIS_USERNAME && !env.REDIS_PASSWORD) throw invalid('REDIS_USERNAME needs REDIS_PASSWORD');
  if (!given.length) {
    const stray = (['REDIS_PASSWORD', 'REDIS_TLS_CA_FILE'] as const).find((name) => env[name] !== undefined);
    if (stray) throw invalid(`${stray} needs REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES`);
    if (env.REDIS_TLS) throw invalid('REDIS_TLS needs REDIS_SENTINELS or REDIS_CLUSTER_NODES');
    return undefined;
  }
  const topology = topologyOf(env);
  const tlsOn = topology.kind === 'standalone' ? topology.url.startsWith('rediss://') : env.REDIS_TLS;
  if (env.REDIS_TLS && topology.kind === 'standalone') {
    throw invalid(
      'REDIS_TLS applies to REDIS_SENTINELS and REDIS_CLUSTER_NODES; REDIS_URL turns TLS on with rediss://',
    );
  }
  if (env.REDIS_TLS_CA_FILE && !tlsOn) throw invalid('REDIS_TLS_CA_FILE needs TLS on (rediss:// or REDIS_TLS=true)');
  return {
    topology,
    username: env.REDIS_USERNAME,
    password: env.REDIS_PASSWORD,
    tls: tlsOn ? { caFile: env.REDIS_TLS_CA_FILE } : undefined,
  };
}

function topologyOf(env: Environment): RedisTopology {
  if (env.REDIS_SENTINELS) {
    return {
      kind: 'sentinel',
      sentinels: hostPorts('REDIS_SENTINELS', env.REDIS_SENTINELS),
      masterName: env.REDIS_SENTINEL_NAME as string,
      sentinelUsername: env.REDIS_SENTINEL_USERNAME,
      sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
    };
  }
  if (env.REDIS_CLUSTER_NODES)
    return { kind: 'cluster', nodes: hostPorts('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES) };
  const url = env.REDIS_URL as string;
  const { username, password } = new URL(url);
  if (env.REDIS_PASSWORD && (username || password)) {
    throw invalid('REDIS_PASSWORD cannot be combined with credentials in REDIS_URL: give them in one place');
  }
  return { kind: 'standalone', url };
}

/** Already shaped by Environment's pattern; brackets come off IPv6 hosts. */
function hostPorts(variable: string, list: string): HostPort[] {
  return list.split(',').map((entry) => {
    const trimmed = entry.trim();
    const colon = trimmed.lastIndexOf(':');
    const port = Number(trimmed.slice(colon + 1));
    if (port < 1 || port > 65535) throw invalid(`${variable} has a port outside 1-65535`);
    return { host: trimmed.slice(0, colon).replace(/^\[|\]$/g, ''), port };
  });
}
