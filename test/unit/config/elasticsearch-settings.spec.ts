import { readFileSync } from 'node:fs';
import { AppConfig } from '../../../src/config/app-config';
import { ConfigurationError, ENVIRONMENT_VARIABLES, validateEnvironment } from '../../../src/config/environment';
import { elasticsearchClientOptions } from '../../../src/infrastructure/search/elasticsearch-client-options';
import { aCertificateAuthority, TestCertificateAuthority } from '../../support/tls-certificates';

const SECRET = 'c2VjcmV0LWtleS12YWx1ZQ==';

const settingsOf = (environment: Record<string, string>) =>
  new AppConfig(validateEnvironment(environment)).elasticsearch;

const failureOf = (environment: Record<string, string>): Error => {
  try {
    validateEnvironment(environment);
  } catch (error) {
    return error as Error;
  }
  throw new Error('no error');
};

describe('Elasticsearch settings (ELASTICSEARCH_*)', () => {
  let ca: TestCertificateAuthority;
  beforeAll(() => (ca = aCertificateAuthority()));
  afterAll(() => ca.remove());

  it('is off without a node, and sniffing is off by default', () => {
    expect(settingsOf({})).toBeUndefined();
    expect(settingsOf({ ELASTICSEARCH_NODE: 'http://es:9200' })).toEqual({
      nodes: ['http://es:9200'],
      auth: undefined,
      ca: undefined,
      sniff: false,
    });
  });

  it('reads several nodes, an API key, a CA and sniffing', () => {
    expect(
      settingsOf({
        ELASTICSEARCH_NODES: 'https://es-0:9200, https://es-1:9200,https://es-2:9200',
        ELASTICSEARCH_API_KEY: SECRET,
        ELASTICSEARCH_CA_FILE: ca.caFile,
        ELASTICSEARCH_SNIFF: 'true',
      }),
    ).toEqual({
      nodes: ['https://es-0:9200', 'https://es-1:9200', 'https://es-2:9200'],
      auth: { apiKey: SECRET },
      ca: readFileSync(ca.caFile, 'utf8'),
      sniff: true,
    });
  });

  it('reads basic auth', () => {
    expect(
      settingsOf({
        ELASTICSEARCH_NODE: 'https://es:9200',
        ELASTICSEARCH_USERNAME: 'ck',
        ELASTICSEARCH_PASSWORD: SECRET,
      })?.auth,
    ).toEqual({ username: 'ck', password: SECRET });
  });

  it('builds client options with the nodes, auth, CA, sniffing, and no retries', () => {
    const settings = settingsOf({
      ELASTICSEARCH_NODES: 'https://es-0:9200,https://es-1:9200',
      ELASTICSEARCH_API_KEY: SECRET,
      ELASTICSEARCH_CA_FILE: ca.caFile,
    })!;
    expect(elasticsearchClientOptions(settings)).toEqual({
      nodes: ['https://es-0:9200', 'https://es-1:9200'],
      auth: { apiKey: SECRET },
      tls: { ca: settings.ca },
      sniffOnStart: false,
      sniffOnConnectionFault: false,
      requestTimeout: 5_000,
      maxRetries: 0,
    });
    expect(elasticsearchClientOptions(settingsOf({ ELASTICSEARCH_NODE: 'http://es:9200' })!)).not.toHaveProperty(
      'auth',
    );
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'both node variables',
      { ELASTICSEARCH_NODE: 'http://a:9200', ELASTICSEARCH_NODES: 'http://b:9200' },
      'ELASTICSEARCH_NODES cannot be combined with ELASTICSEARCH_NODE: list every node in ELASTICSEARCH_NODES',
    ],
    [
      'a list that is not URLs',
      { ELASTICSEARCH_NODES: 'http://a:9200,b:9200' },
      'ELASTICSEARCH_NODES must be comma-separated http(s):// URLs',
    ],
    [
      'mixed schemes',
      { ELASTICSEARCH_NODES: 'https://a:9200,http://b:9200' },
      'ELASTICSEARCH_NODES mixes http:// and https://: TLS and credentials apply to every node',
    ],
    [
      'an API key and basic auth',
      {
        ELASTICSEARCH_NODE: 'https://a:9200',
        ELASTICSEARCH_API_KEY: SECRET,
        ELASTICSEARCH_USERNAME: 'u',
        ELASTICSEARCH_PASSWORD: SECRET,
      },
      'ELASTICSEARCH_API_KEY cannot be combined with ELASTICSEARCH_USERNAME: pick an API key or basic auth',
    ],
    [
      'a user without a password',
      { ELASTICSEARCH_NODE: 'https://a:9200', ELASTICSEARCH_USERNAME: 'u' },
      'ELASTICSEARCH_USERNAME needs ELASTICSEARCH_PASSWORD',
    ],
    [
      'a password without a user',
      { ELASTICSEARCH_NODE: 'https://a:9200', ELASTICSEARCH_PASSWORD: SECRET },
      'ELASTICSEARCH_PASSWORD needs ELASTICSEARCH_USERNAME',
    ],
    [
      'credentials in a node list',
      { ELASTICSEARCH_NODES: `https://u:${SECRET}@a:9200` },
      'ELASTICSEARCH_NODES carries credentials: give them in ELASTICSEARCH_API_KEY or _USERNAME/_PASSWORD',
    ],
    [
      'credentials in two places',
      { ELASTICSEARCH_NODE: `https://u:${SECRET}@a:9200`, ELASTICSEARCH_API_KEY: SECRET },
      'ELASTICSEARCH_API_KEY cannot be combined with credentials in ELASTICSEARCH_NODE: give them in one place',
    ],
    [
      'a CA for http://',
      { ELASTICSEARCH_NODE: 'http://a:9200', ELASTICSEARCH_CA_FILE: '/ca.pem' },
      'ELASTICSEARCH_CA_FILE needs https:// nodes in ELASTICSEARCH_NODE',
    ],
    [
      'a CA file that is not there',
      { ELASTICSEARCH_NODE: 'https://a:9200', ELASTICSEARCH_CA_FILE: '/nonexistent.pem' },
      'ELASTICSEARCH_CA_FILE cannot be read',
    ],
    [
      'an API key with spaces',
      { ELASTICSEARCH_NODE: 'https://a:9200', ELASTICSEARCH_API_KEY: 'two words' },
      'ELASTICSEARCH_API_KEY must match /^[\\x21-\\x7e]+$/ regular expression',
    ],
    [
      'credentials without a node',
      { ELASTICSEARCH_API_KEY: SECRET },
      'ELASTICSEARCH_API_KEY needs ELASTICSEARCH_NODE or ELASTICSEARCH_NODES',
    ],
    [
      'sniffing without a node',
      { ELASTICSEARCH_SNIFF: 'true' },
      'ELASTICSEARCH_SNIFF needs ELASTICSEARCH_NODE or ELASTICSEARCH_NODES',
    ],
    [
      'credentials over http:// in production',
      { NODE_ENV: 'production', ELASTICSEARCH_NODES: 'http://a:9200', ELASTICSEARCH_API_KEY: SECRET },
      'ELASTICSEARCH_NODES must be https:// in production: the credentials would cross the network in clear',
    ],
  ])('refuses %s in one line naming the variable, never the secret', (_, environment, message) => {
    const error = failureOf(environment);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(`Invalid configuration: ${message}`);
    expect(error.message).not.toContain(SECRET);
  });

  it('lists every variable, the secrets among them, for the deployment checks', () => {
    for (const name of [
      'ELASTICSEARCH_NODES',
      'ELASTICSEARCH_API_KEY',
      'ELASTICSEARCH_USERNAME',
      'ELASTICSEARCH_PASSWORD',
      'ELASTICSEARCH_CA_FILE',
      'ELASTICSEARCH_SNIFF',
      'DATABASE_SSL_MODE',
      'DATABASE_SSL_CA_FILE',
      'DATABASE_SSL_CERT_FILE',
      'DATABASE_SSL_KEY_FILE',
    ]) {
      expect(ENVIRONMENT_VARIABLES).toContain(name);
    }
  });
});
