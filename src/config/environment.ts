import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { ConfigurationError } from './configuration-error.js';
import { elasticsearchSettings, IsNodeUrlList } from './elasticsearch-settings.js';
import { redisSettings } from './redis-settings.js';
import { POSTGRES_SSL_MODES, postgresTls, type PostgresSslMode } from './postgres-tls.js';
import { IsPostgresUrl, IsSingleHostPostgresUrlList } from './postgres-urls.js';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** What a request from another device than the session's gets: never silently accepted (docs/security.md). */
export const FINGERPRINT_MISMATCH_MODES = ['reject', 'step-up'] as const;
/** OTEL_TRACES_SAMPLER values of the OpenTelemetry specification (docs/tracing.md). */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
/** The OTLP/HTTP encodings; gRPC is not supported. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
/** `key=value` pairs separated by commas, as OTEL_EXPORTER_OTLP_HEADERS spells them. */
const OTLP_HEADERS = /^\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=[^,]*(,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=[^,]*)*$/;

const toBoolean = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
const toNumber = ({ value }: { value: unknown }) => (typeof value === 'string' ? Number(value) : value);
const blankToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
/** `host:port[,host:port…]`; IPv6 hosts in brackets. */
const HOST_PORT_LIST =
  /^((\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5})(,\s*(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5})*$/;
const hostPortList = { message: 'must be host:port[,host:port…]' };

/**
 * Every environment variable the service reads, with its default.
 * README's configuration table mirrors this class.
 */
export class Environment {
  @IsIn(NODE_ENVS)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** One URL, or a host list (`h1:5432,h2:5432`) tried in order for the read-write server. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsPostgresUrl()
  DATABASE_URL?: string;

  /** Postgres itself when DATABASE_URL is a transaction-pooling PgBouncer: LISTEN and other session work. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsPostgresUrl()
  DATABASE_DIRECT_URL?: string;

  /** Streaming replicas for reads that tolerate lag, comma-separated single-host URLs. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsSingleHostPostgresUrlList()
  DATABASE_REPLICA_URLS?: string;

  /** A replica whose replay lags more than this is skipped until it catches up. */
  @IsInt()
  @Min(0)
  DATABASE_REPLICA_MAX_LAG_MS = 5_000;

  /** How long a read after the caller's own write waits for a replica to replay it before going to the primary. */
  @IsInt()
  @Min(0)
  @Max(10_000)
  DATABASE_REPLICA_WAIT_MS = 200;

  /** How often each replica's state and lag are measured. */
  @IsInt()
  @Min(100)
  DATABASE_REPLICA_CHECK_INTERVAL_MS = 1_000;

  @IsInt()
  @Min(1)
  @Max(1000)
  DATABASE_POOL_MAX = 10;

  @IsInt()
  @Min(0)
  DATABASE_POOL_IDLE_TIMEOUT_MS = 30_000;

  @IsInt()
  @Min(0)
  DATABASE_CONNECTION_TIMEOUT_MS = 5_000;

  @IsInt()
  @Min(0)
  DATABASE_STATEMENT_TIMEOUT_MS = 15_000;

  @Transform(toBoolean)
  @IsBoolean()
  DATABASE_MIGRATIONS_RUN = true;

  /** TLS to every Postgres connection, as libpq's sslmode (docs/scaling.md#tls-and-credentials). */
  @IsIn(POSTGRES_SSL_MODES)
  DATABASE_SSL_MODE: PostgresSslMode = 'disable';

  /** PEM CA bundle the Postgres servers' certificates must chain to; default: Node's built-in CAs. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  DATABASE_SSL_CA_FILE?: string;

  /** PEM client certificate, for servers that ask for one (pg_hba `clientcert=` or `cert`). */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  DATABASE_SSL_CERT_FILE?: string;

  /** Its unencrypted PEM private key. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  DATABASE_SSL_KEY_FILE?: string;

  /** With DATABASE_MIGRATIONS_RUN=false: how long the boot waits for another process to migrate. */
  @IsInt()
  @Min(0)
  DATABASE_MIGRATIONS_WAIT_MS = 300_000;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false })
  REDIS_URL?: string;

  /** Sentinel topology (instead of REDIS_URL): the sentinels to ask where the master is. */
  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(HOST_PORT_LIST, hostPortList)
  REDIS_SENTINELS?: string;

  /** The master name the sentinels monitor; required with REDIS_SENTINELS. */
  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  REDIS_SENTINEL_NAME?: string;

  /** Cluster topology (instead of REDIS_URL): some of the cluster's nodes; the rest are discovered. */
  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(HOST_PORT_LIST, hostPortList)
  REDIS_CLUSTER_NODES?: string;

  /** ACL user of the Redis data nodes (with REDIS_PASSWORD); REDIS_URL may carry it instead. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  REDIS_USERNAME?: string;

  /** Password of the Redis data nodes (master, replicas, cluster nodes); REDIS_URL may carry it instead. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  REDIS_PASSWORD?: string;

  /** ACL user of the sentinels themselves (with REDIS_SENTINEL_PASSWORD); unset: the `default` user. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  REDIS_SENTINEL_USERNAME?: string;

  /** Password of the sentinels themselves (`requirepass`, or their ACL user's), when they have one. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  REDIS_SENTINEL_PASSWORD?: string;

  /** TLS to the sentinels and data nodes of REDIS_SENTINELS or REDIS_CLUSTER_NODES (REDIS_URL says rediss://). */
  @Transform(toBoolean)
  @IsBoolean()
  REDIS_TLS = false;

  /** PEM CA bundle the Redis servers' certificates must chain to; default: Node's built-in CAs. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  REDIS_TLS_CA_FILE?: string;

  /**
   * The deployment's Redis namespace: every key the app writes (queues, sessions, throttling,
   * caches, signal windows) starts with `<QUEUE_PREFIX>:`, so deployments (or test runs) sharing one
   * Redis need their own. Named for the queues, its first user; kept for compatibility.
   */
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  QUEUE_PREFIX = 'ck';

  @Transform(blankToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false })
  ELASTICSEARCH_NODE?: string;

  /** Several nodes (instead of ELASTICSEARCH_NODE), comma-separated; requests take turns among them. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsNodeUrlList()
  ELASTICSEARCH_NODES?: string;

  /** The encoded API key (base64 of `id:api_key`), sent as `Authorization: ApiKey …`. */
  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/^[\x21-\x7e]+$/)
  ELASTICSEARCH_API_KEY?: string;

  /** Basic auth, with ELASTICSEARCH_PASSWORD (instead of an API key). */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  ELASTICSEARCH_USERNAME?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  ELASTICSEARCH_PASSWORD?: string;

  /** PEM CA bundle the https:// nodes' certificates must chain to; default: Node's built-in CAs. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  ELASTICSEARCH_CA_FILE?: string;

  /** Learn the cluster's nodes from the cluster (off: behind a load balancer or proxy the published addresses are unreachable). */
  @Transform(toBoolean)
  @IsBoolean()
  ELASTICSEARCH_SNIFF = false;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @IsString()
  DATA_DIR = './.data';

  @IsInt()
  @Min(1024)
  HTTP_BODY_LIMIT_BYTES = 1_048_576;

  @IsInt()
  @Min(0)
  SHUTDOWN_GRACE_MS = 5_000;

  @IsInt()
  @Min(0)
  SHUTDOWN_READINESS_DELAY_MS = 0;

  @IsInt()
  @Min(50)
  HEALTH_CHECK_TIMEOUT_MS = 1_000;

  /** HMAC key for audit checkpoints; required in production, generated into DATA_DIR otherwise. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32)
  AUDIT_CHECKPOINT_KEY?: string;

  @IsInt()
  @Min(1)
  AUDIT_RETENTION_DAYS = 365;

  @IsInt()
  @Min(1_000)
  AUDIT_CHECKPOINT_INTERVAL_MS = 60_000;

  /** Audit partitions and data keys ensured ahead, then retention: once per interval across replicas. */
  @IsInt()
  @Min(1_000)
  AUDIT_MAINTENANCE_INTERVAL_MS = 86_400_000;

  /** A checkpoint is also written after this many events (per replica), if sooner than the interval. */
  @IsInt()
  @Min(1)
  AUDIT_CHECKPOINT_EVERY_EVENTS = 10_000;

  /** Verify fails when the newest checkpoint is older than the interval plus this. */
  @IsInt()
  @Min(0)
  AUDIT_CHECKPOINT_SLACK_MS = 60_000;

  /** Where every checkpoint is also written, outside the database. */
  @IsIn(['file', 'http', 'syslog'])
  AUDIT_ANCHOR: 'file' | 'http' | 'syslog' = 'file';

  /** File sink path; default DATA_DIR/audit-anchors/<database>.jsonl. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  AUDIT_ANCHOR_FILE?: string;

  /** HTTP sink: each checkpoint is POSTed here as JSON. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false })
  AUDIT_ANCHOR_URL?: string;

  /** Syslog sink (RFC 5424): udp://host:port or tcp://host:port. */
  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/^(udp|tcp):\/\/[A-Za-z0-9.:[\]-]+:\d{1,5}$/)
  AUDIT_ANCHOR_SYSLOG?: string;

  /** SIEM shipping of audit events over syslog (RFC 5424, octet counting): tcp://host:port or tls://host:port. */
  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/^(tcp|tls):\/\/[A-Za-z0-9.:[\]-]+:\d{1,5}$/)
  SIEM_SYSLOG_URL?: string;

  /** PEM CA bundle the tls:// receiver's certificate must chain to; default: Node's built-in CAs. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  SIEM_SYSLOG_CA_FILE?: string;

  /** Name the receiver's certificate must carry (and SNI); default: the host of SIEM_SYSLOG_URL. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  SIEM_SYSLOG_SERVERNAME?: string;

  @Transform(toBoolean)
  @IsBoolean()
  SIEM_SYSLOG_REJECT_UNAUTHORIZED = true;

  @IsInt()
  @Min(0)
  @Max(23)
  SIEM_SYSLOG_FACILITY = 13;

  /** SIEM shipping of audit events as JSON batches POSTed here. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false })
  SIEM_HTTP_URL?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  SIEM_HTTP_TOKEN?: string;

  /** One connect, write or request to a SIEM sink fails after this. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  SIEM_TIMEOUT_MS = 5_000;

  @IsIn(['info', 'warning', 'critical'])
  SIEM_MIN_SEVERITY: 'info' | 'warning' | 'critical' = 'info';
  /** JSON `{"active":"k1","keys":{"k1":"<base64 32 bytes>"}}`. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  ENCRYPTION_KEYS?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  ENCRYPTION_KEYS_FILE?: string;

  /** Development only: keyring derived from passphrase + salt with PBKDF2. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  ENCRYPTION_PASSPHRASE?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  ENCRYPTION_SALT?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  BLIND_INDEX_KEY?: string;

  @IsInt()
  @Min(1)
  @Max(10_000)
  ENCRYPTION_ROTATION_BATCH_SIZE = 500;

  /** Days a data key stays active before the app rotates it (file-backed keyrings only); 0 turns the schedule off. */
  @IsInt()
  @Min(0)
  @Max(3_650)
  ENCRYPTION_ROTATION_INTERVAL_DAYS = 0;
  /** Unwrapped per-subject keys held in memory (LRU). */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  SUBJECT_KEY_CACHE_SIZE = 10_000;

  /** How long an unwrapped subject key stays cached; an erasure on another replica is seen within it. */
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  SUBJECT_KEY_CACHE_TTL_MS = 60_000;

  /** Append-only record of erasures outside the database; default DATA_DIR/erasure-ledger.jsonl. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  ERASURE_LEDGER_FILE?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  ADMIN_EMAIL?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  ADMIN_PASSWORD?: string;

  @IsInt()
  @Min(1)
  SESSION_IDLE_TIMEOUT_SECONDS = 3_600;

  @IsInt()
  @Min(1)
  SESSION_ABSOLUTE_TIMEOUT_SECONDS = 43_200;

  @IsInt()
  @Min(1)
  @Max(1_000)
  SESSION_MAX_PER_USER = 10;

  @IsInt()
  @Min(10)
  SESSION_REDIS_TIMEOUT_MS = 200;

  @IsInt()
  @Min(1_000)
  SESSION_CIRCUIT_COOLDOWN_MS = 10_000;

  @IsInt()
  @Min(1_000)
  SESSION_SYNC_INTERVAL_MS = 300_000;

  /** Bounds how long a revoked session may still be read from Redis by a replica that missed it. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  SESSION_REVOCATION_SYNC_MS = 2_000;

  /** How long a replica keeps a session read from Postgres (revocations evict at once); 0: no cache. */
  @IsInt()
  @Min(0)
  @Max(300_000)
  SESSION_CACHE_TTL_MS = 30_000;

  @IsInt()
  @Min(1_000)
  SESSION_CLEANUP_INTERVAL_MS = 3_600_000;

  @IsIn(FINGERPRINT_MISMATCH_MODES)
  SESSION_FINGERPRINT_MISMATCH: (typeof FINGERPRINT_MISMATCH_MODES)[number] = 'reject';

  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES = 5;

  @IsInt()
  @Min(1)
  LOGIN_LOCKOUT_SECONDS = 900;

  @IsInt()
  @Min(1)
  THROTTLE_LOGIN_LIMIT = 20;

  @IsInt()
  @Min(1)
  THROTTLE_API_LIMIT = 1_200;

  @IsInt()
  @Min(1_000)
  THROTTLE_WINDOW_MS = 60_000;

  @IsInt()
  @Min(50)
  OUTBOX_POLL_INTERVAL_MS = 5_000;

  @IsInt()
  @Min(1)
  @Max(100)
  OUTBOX_MAX_ATTEMPTS = 10;

  @IsInt()
  @Min(1)
  @Max(10_000)
  OUTBOX_BATCH_SIZE = 1_000;

  @IsInt()
  @Min(1)
  COMPLIANCE_CACHE_TTL_SECONDS = 300;

  @IsInt()
  @Min(1)
  COMPLIANCE_CACHE_LRU_MAX_ENTRIES = 10_000;

  @IsInt()
  @Min(1)
  COMPLIANCE_EVENTS_RETENTION_DAYS = 90;

  @IsInt()
  @Min(1)
  @Max(60)
  COMPLIANCE_EVENTS_PARTITIONS_AHEAD_DAYS = 7;

  /** Native layout: daily partitions created and dropped once per interval across replicas. */
  @IsInt()
  @Min(1_000)
  COMPLIANCE_EVENTS_PARTITION_INTERVAL_MS = 21_600_000;

  @IsInt()
  @Min(1_048_576)
  COMPLIANCE_BULK_BODY_LIMIT_BYTES = 16_777_216;

  @IsInt()
  @Min(0)
  @Max(100_000)
  SEARCH_RANK_CANDIDATES = 1_000;

  @IsInt()
  @Min(1)
  CONTROL_GRAPH_CACHE_TTL_SECONDS = 3_600;

  @IsInt()
  @Min(1)
  CONTROL_GRAPH_CACHE_LRU_MAX_ENTRIES = 2_000;

  @IsInt()
  @Min(2)
  SIGNAL_AUTH_FAILURE_BURST = 20;

  @IsInt()
  @Min(1)
  @Max(86_400)
  SIGNAL_AUTH_FAILURE_WINDOW_SECONDS = 60;

  @IsInt()
  @Min(1)
  @Max(86_400)
  SIGNAL_NETWORK_SWITCH_WINDOW_SECONDS = 600;

  @IsInt()
  @Min(1)
  @Max(32)
  SIGNAL_NETWORK_IPV4_PREFIX = 16;

  @IsInt()
  @Min(1)
  @Max(128)
  SIGNAL_NETWORK_IPV6_PREFIX = 32;

  @IsInt()
  @Min(1)
  @Max(86_400)
  SIGNAL_KEY_CIDR_WINDOW_SECONDS = 3_600;

  @IsInt()
  @Min(1)
  SIGNAL_MASS_EXPORT_ROWS = 10_000;

  @IsInt()
  @Min(1)
  @Max(86_400)
  SIGNAL_MASS_EXPORT_WINDOW_SECONDS = 3_600;

  @IsInt()
  @Min(100)
  SIGNAL_COUNTER_MAX_ENTRIES = 100_000;

  /** Tracing is off unless an OTLP exporter is asked for (docs/tracing.md); this turns it off whatever else is set. */
  @Transform(toBoolean)
  @IsBoolean()
  OTEL_SDK_DISABLED = false;

  /** `otlp` or `none`; unset means `otlp` when an OTLP endpoint is set, else `none`. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(['otlp', 'none'])
  OTEL_TRACES_EXPORTER?: 'otlp' | 'none';

  /** Base URL of the collector; `/v1/traces` is appended. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** Full URL traces are POSTed to; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  /** Unset: `http/protobuf`, the specification's default. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(OTLP_PROTOCOLS)
  OTEL_EXPORTER_OTLP_PROTOCOL?: (typeof OTLP_PROTOCOLS)[number];

  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(OTLP_PROTOCOLS)
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?: (typeof OTLP_PROTOCOLS)[number];

  /** `key=value,…` sent with every export (often a credential). */
  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(OTLP_HEADERS)
  OTEL_EXPORTER_OTLP_HEADERS?: string;

  @IsInt()
  @Min(100)
  @Max(60_000)
  OTEL_EXPORTER_OTLP_TIMEOUT = 10_000;

  /** Unset: `compliance-kit`. */
  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,255}$/)
  OTEL_SERVICE_NAME?: string;

  /** Unset: `parentbased_always_on`, the specification's default. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(TRACE_SAMPLERS)
  OTEL_TRACES_SAMPLER?: (typeof TRACE_SAMPLERS)[number];

  /** The ratio of the `*traceidratio` samplers. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  @Max(1)
  OTEL_TRACES_SAMPLER_ARG = 1;
}

export { ConfigurationError };

const OPTIONAL_SECRET_KEYS = [
  'AUDIT_CHECKPOINT_KEY',
  'ENCRYPTION_KEYS',
  'ENCRYPTION_KEYS_FILE',
  'ENCRYPTION_PASSPHRASE',
  'ENCRYPTION_SALT',
  'BLIND_INDEX_KEY',
  'ADMIN_EMAIL',
  'ADMIN_PASSWORD',
  'SIEM_HTTP_TOKEN',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'REDIS_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
  'ELASTICSEARCH_API_KEY',
  'ELASTICSEARCH_PASSWORD',
];

const INTEGER_KEYS = Object.keys(new Environment()).filter(
  (key) => typeof new Environment()[key as keyof Environment] === 'number',
);

/** Every variable name the service reads (deployment manifests are checked against this list). */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(new Environment()).concat(
  'DATABASE_URL',
  'DATABASE_DIRECT_URL',
  'DATABASE_REPLICA_URLS',
  'DATABASE_SSL_CA_FILE',
  'DATABASE_SSL_CERT_FILE',
  'DATABASE_SSL_KEY_FILE',
  'REDIS_URL',
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_NAME',
  'REDIS_SENTINEL_USERNAME',
  'REDIS_CLUSTER_NODES',
  'REDIS_USERNAME',
  'REDIS_TLS_CA_FILE',
  'ELASTICSEARCH_NODE',
  'ELASTICSEARCH_NODES',
  'ELASTICSEARCH_USERNAME',
  'ELASTICSEARCH_CA_FILE',
  'AUDIT_ANCHOR_FILE',
  'AUDIT_ANCHOR_URL',
  'AUDIT_ANCHOR_SYSLOG',
  'SIEM_SYSLOG_URL',
  'SIEM_SYSLOG_CA_FILE',
  'SIEM_SYSLOG_SERVERNAME',
  'SIEM_HTTP_URL',
  'OTEL_TRACES_EXPORTER',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_SERVICE_NAME',
  'OTEL_TRACES_SAMPLER',
  ...OPTIONAL_SECRET_KEYS,
);

/**
 * Validates raw variables, then the combinations (Postgres TLS, the Redis topology,
 * Elasticsearch) and the PEM files they name; throws a one-line ConfigurationError naming the
 * first bad variable.
 */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const picked: Record<string, unknown> = {};
  for (const key of ENVIRONMENT_VARIABLES) {
    const value = raw[key];
    if (value === undefined || value === '') continue;
    picked[key] = INTEGER_KEYS.includes(key) && /^-?\d+$/.test(String(value)) ? Number(value) : value;
  }
  const environment = plainToInstance(Environment, picked, { exposeDefaultValues: true });
  const [first] = validateSync(environment, { skipMissingProperties: false });
  if (first) {
    const reason = Object.values(first.constraints ?? {})[0] ?? 'is invalid';
    throw new ConfigurationError(
      `Invalid configuration: ${first.property} ${reason.replace(`${first.property} `, '')}`,
    );
  }
  postgresTls(environment);
  redisSettings(environment);
  elasticsearchSettings(environment);
  rotationSchedule(environment);
  return environment;
}

/**
 * A schedule generates keys, so it needs a keyring that can take them: file-backed, which it is
 * unless ENCRYPTION_KEYS wins, or a passphrase does without ENCRYPTION_KEYS_FILE (loadKeyring's order).
 */
function rotationSchedule(environment: Environment): void {
  if (!environment.ENCRYPTION_ROTATION_INTERVAL_DAYS) return;
  const variable = environment.ENCRYPTION_KEYS
    ? 'ENCRYPTION_KEYS'
    : !environment.ENCRYPTION_KEYS_FILE && environment.ENCRYPTION_PASSPHRASE
      ? 'ENCRYPTION_PASSPHRASE'
      : undefined;
  if (variable) {
    throw new ConfigurationError(
      `Invalid configuration: ENCRYPTION_ROTATION_INTERVAL_DAYS needs a file-backed keyring (ENCRYPTION_KEYS_FILE), not ${variable}`,
    );
  }
}
