import { isURL, ValidateBy } from 'class-validator';
import { ConfigurationError } from './configuration-error.js';
import type { Environment } from './environment.js';
import { readCertificates } from './pem-files.js';

export type ElasticsearchAuth = { apiKey: string } | { username: string; password: string };

/** Where Elasticsearch is and how to talk to it; undefined when it is off (Postgres full text serves search). */
export interface ElasticsearchSettings {
  /** Every request goes to one of them in turn. */
  nodes: string[];
  /** From the variables; credentials written in ELASTICSEARCH_NODE's URL stay there for the client to read. */
  auth?: ElasticsearchAuth;
  /** PEM trust anchors for https:// nodes; unset means Node's built-in CAs. */
  ca?: string;
  /** Ask the cluster for its nodes at start and after a connection fault (ELASTICSEARCH_SNIFF). */
  sniff: boolean;
}

const isNodeUrl = (value: string) =>
  isURL(value, { protocols: ['http', 'https'], require_tld: false, require_protocol: true });

export const splitNodeList = (value: string): string[] =>
  value
    .split(',')
    .map((node) => node.trim())
    .filter(Boolean);

export const IsNodeUrlList = () =>
  ValidateBy({
    name: 'isNodeUrlList',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && splitNodeList(value).length > 0 && splitNodeList(value).every(isNodeUrl),
      defaultMessage: () => 'must be comma-separated http(s):// URLs',
    },
  });

const invalid = (message: string) => new ConfigurationError(`Invalid configuration: ${message}`);
const STRAYS = ['ELASTICSEARCH_API_KEY', 'ELASTICSEARCH_USERNAME', 'ELASTICSEARCH_PASSWORD', 'ELASTICSEARCH_CA_FILE'];

/** Throws one line naming the variable for a combination that cannot work; never echoes a value. */
export function elasticsearchSettings(env: Environment): ElasticsearchSettings | undefined {
  if (env.ELASTICSEARCH_NODE && env.ELASTICSEARCH_NODES) {
    throw invalid(
      'ELASTICSEARCH_NODES cannot be combined with ELASTICSEARCH_NODE: list every node in ELASTICSEARCH_NODES',
    );
  }
  const variable = env.ELASTICSEARCH_NODES ? 'ELASTICSEARCH_NODES' : 'ELASTICSEARCH_NODE';
  const list = env.ELASTICSEARCH_NODES ?? env.ELASTICSEARCH_NODE;
  if (!list) {
    const stray = STRAYS.find((name) => env[name as keyof Environment] !== undefined);
    if (stray) throw invalid(`${stray} needs ELASTICSEARCH_NODE or ELASTICSEARCH_NODES`);
    if (env.ELASTICSEARCH_SNIFF) throw invalid('ELASTICSEARCH_SNIFF needs ELASTICSEARCH_NODE or ELASTICSEARCH_NODES');
    return undefined;
  }
  const nodes = splitNodeList(list);
  const urls = nodes.map((node) => new URL(node));
  if (new Set(urls.map((url) => url.protocol)).size > 1) {
    throw invalid(`${variable} mixes http:// and https://: TLS and credentials apply to every node`);
  }
  const auth = authOf(env);
  const inUrl = urls.some((url) => url.username || url.password);
  if (inUrl && variable === 'ELASTICSEARCH_NODES') {
    throw invalid('ELASTICSEARCH_NODES carries credentials: give them in ELASTICSEARCH_API_KEY or _USERNAME/_PASSWORD');
  }
  if (inUrl && auth) {
    throw invalid(
      `${authVariable(auth)} cannot be combined with credentials in ELASTICSEARCH_NODE: give them in one place`,
    );
  }
  const https = urls[0].protocol === 'https:';
  if (env.ELASTICSEARCH_CA_FILE && !https) throw invalid(`ELASTICSEARCH_CA_FILE needs https:// nodes in ${variable}`);
  if ((auth || inUrl) && !https && env.NODE_ENV === 'production') {
    throw invalid(`${variable} must be https:// in production: the credentials would cross the network in clear`);
  }
  return {
    nodes,
    auth,
    ca: env.ELASTICSEARCH_CA_FILE ? readCertificates('ELASTICSEARCH_CA_FILE', env.ELASTICSEARCH_CA_FILE) : undefined,
    sniff: env.ELASTICSEARCH_SNIFF,
  };
}

function authOf(env: Environment): ElasticsearchAuth | undefined {
  const { ELASTICSEARCH_API_KEY: apiKey, ELASTICSEARCH_USERNAME: username, ELASTICSEARCH_PASSWORD: password } = env;
  if (apiKey && (username || password)) {
    throw invalid(
      `ELASTICSEARCH_API_KEY cannot be combined with ELASTICSEARCH_${username ? 'USERNAME' : 'PASSWORD'}: pick an API key or basic auth`,
    );
  }
  if (apiKey) return { apiKey };
  if (username && !password) throw invalid('ELASTICSEARCH_USERNAME needs ELASTICSEARCH_PASSWORD');
  if (password && !username) throw invalid('ELASTICSEARCH_PASSWORD needs ELASTICSEARCH_USERNAME');
  return username && password ? { username, password } : undefined;
}

const authVariable = (auth: ElasticsearchAuth) =>
  'apiKey' in auth ? 'ELASTICSEARCH_API_KEY' : 'ELASTICSEARCH_USERNAME';
