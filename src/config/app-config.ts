import { join, resolve } from 'node:path';
import { elasticsearchSettings, type ElasticsearchSettings } from './elasticsearch-settings.js';
import type { Environment } from './environment.js';
import { postgresTls, type PostgresTls } from './postgres-tls.js';
import { splitUrlList } from './postgres-urls.js';
import { redisSettings, type RedisSettings } from './redis-settings.js';

export interface DatabaseSettings {
  /** Unset means "start the embedded PostgreSQL". */
  url?: string;
  poolMax: number;
  idleTimeoutMs: number;
  connectionTimeoutMs: number;
  statementTimeoutMs: number;
  migrationsRun: boolean;
  migrationsWaitMs: number;
  /** Set when `url` is a transaction-pooling PgBouncer: session work connects here instead. */
  directUrl?: string;
  replicas: ReplicaSettings;
  /** Applies to every connection: pool, host-list probe, migration lock, replicas, direct URL. */
  tls: PostgresTls;
}

export interface ReplicaSettings {
  urls: string[];
  maxLagMs: number;
  /** Read-your-writes: the longest a read waits for a replica to replay the caller's last commit. */
  waitMs: number;
  checkIntervalMs: number;
}

export interface HttpSettings {
  host: string;
  port: number;
  bodyLimitBytes: number;
  shutdownGraceMs: number;
  shutdownReadinessDelayMs: number;
}

export interface AuditSettings {
  /** Unset means "use (or generate) the key file in DATA_DIR"; never unset in production. */
  checkpointKey?: string;
  retentionDays: number;
  checkpointIntervalMs: number;
  maintenanceIntervalMs: number;
  checkpointEveryEvents: number;
  checkpointSlackMs: number;
  anchor: { sink: 'file' | 'http' | 'syslog'; file?: string; url?: string; syslog?: string };
}

/** SIEM sinks; an unset URL means that sink is off. */
export interface SiemSettings {
  syslog?: { url: string; caFile?: string; servername?: string; rejectUnauthorized: boolean; facility: number };
  http?: { url: string; token?: string };
  timeoutMs: number;
  minSeverity: Environment['SIEM_MIN_SEVERITY'];
}

export interface EncryptionSettings {
  keysJson?: string;
  keysFile?: string;
  passphrase?: string;
  salt?: string;
  blindIndexKey?: string;
  rotationBatchSize: number;
  /** 0: no scheduled rotation. */
  rotationIntervalDays: number;
}

export interface PrivacySettings {
  subjectKeyCacheSize: number;
  subjectKeyCacheTtlMs: number;
  erasureLedgerFile: string;
}

export interface SessionSettings {
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
  maxPerUser: number;
  redisTimeoutMs: number;
  circuitCooldownMs: number;
  syncIntervalMs: number;
  revocationSyncMs: number;
  cacheTtlMs: number;
  cleanupIntervalMs: number;
  /** `reject`: the session is revoked; `step-up`: it needs POST /auth/reauthenticate first. */
  fingerprintMismatch: Environment['SESSION_FINGERPRINT_MISMATCH'];
  maxLoginFailures: number;
  lockoutSeconds: number;
}

export interface ThrottleSettings {
  loginLimit: number;
  apiLimit: number;
  windowMs: number;
}

export interface OutboxSettings {
  pollIntervalMs: number;
  maxAttempts: number;
  batchSize: number;
}

export interface ComplianceSettings {
  cacheTtlSeconds: number;
  cacheLruMaxEntries: number;
  eventsRetentionDays: number;
  partitionsAheadDays: number;
  partitionsIntervalMs: number;
  bulkBodyLimitBytes: number;
}

/** Thresholds of the security signal detectors (docs/security.md, "Security signals"). */
export interface SecuritySignalSettings {
  authFailureBurst: number;
  authFailureWindowSeconds: number;
  networkSwitchWindowSeconds: number;
  networkIpv4Prefix: number;
  networkIpv6Prefix: number;
  keyCidrWindowSeconds: number;
  massExportRows: number;
  massExportWindowSeconds: number;
  /** Bound of the in-process counters used without Redis (or while it is down). */
  counterMaxEntries: number;
}

/** OpenTelemetry tracing (docs/tracing.md); `enabled` false means no tracer, no exporter, no hooks. */
export interface TracingSettings {
  enabled: boolean;
  serviceName: string;
  sampler: NonNullable<Environment['OTEL_TRACES_SAMPLER']>;
  samplerRatio: number;
  otlp: {
    url: string;
    protocol: NonNullable<Environment['OTEL_EXPORTER_OTLP_PROTOCOL']>;
    headers: Record<string, string>;
    timeoutMs: number;
  };
}

/** The collector's default OTLP/HTTP port on this host, as the specification has it. */
const DEFAULT_OTLP_BASE = 'http://localhost:4318';

export interface ControlGraphSettings {
  cacheTtlSeconds: number;
  cacheLruMaxEntries: number;
}

/** Typed, read-only view of the validated environment, one accessor per area. */
export class AppConfig {
  // Read once: both hold PEM files' contents, and the same object keeps connection factories shared.
  private postgresTls?: PostgresTls;
  private elasticsearchSettings?: ElasticsearchSettings | null;

  constructor(private readonly env: Environment) {}

  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }

  get logLevel(): Environment['LOG_LEVEL'] {
    return this.env.LOG_LEVEL;
  }

  get dataDir(): string {
    return resolve(this.env.DATA_DIR);
  }

  get http(): HttpSettings {
    return {
      host: this.env.HOST,
      port: this.env.PORT,
      bodyLimitBytes: this.env.HTTP_BODY_LIMIT_BYTES,
      shutdownGraceMs: this.env.SHUTDOWN_GRACE_MS,
      shutdownReadinessDelayMs: this.env.SHUTDOWN_READINESS_DELAY_MS,
    };
  }

  get database(): DatabaseSettings {
    return {
      url: this.env.DATABASE_URL,
      poolMax: this.env.DATABASE_POOL_MAX,
      idleTimeoutMs: this.env.DATABASE_POOL_IDLE_TIMEOUT_MS,
      connectionTimeoutMs: this.env.DATABASE_CONNECTION_TIMEOUT_MS,
      statementTimeoutMs: this.env.DATABASE_STATEMENT_TIMEOUT_MS,
      migrationsRun: this.env.DATABASE_MIGRATIONS_RUN,
      migrationsWaitMs: this.env.DATABASE_MIGRATIONS_WAIT_MS,
      directUrl: this.env.DATABASE_DIRECT_URL,
      replicas: {
        urls: this.env.DATABASE_REPLICA_URLS ? splitUrlList(this.env.DATABASE_REPLICA_URLS) : [],
        maxLagMs: this.env.DATABASE_REPLICA_MAX_LAG_MS,
        waitMs: this.env.DATABASE_REPLICA_WAIT_MS,
        checkIntervalMs: this.env.DATABASE_REPLICA_CHECK_INTERVAL_MS,
      },
      tls: (this.postgresTls ??= postgresTls(this.env)),
    };
  }

  /** Undefined when no Redis topology is configured (in-process cache, queue and counters). */
  get redis(): RedisSettings | undefined {
    return redisSettings(this.env);
  }

  /** The deployment's Redis namespace: the first segment of every key the app writes. */
  get queuePrefix(): string {
    return this.env.QUEUE_PREFIX;
  }

  /** Undefined when no node is configured (Postgres full text serves search). */
  get elasticsearch(): ElasticsearchSettings | undefined {
    if (this.elasticsearchSettings === undefined) this.elasticsearchSettings = elasticsearchSettings(this.env) ?? null;
    return this.elasticsearchSettings ?? undefined;
  }

  get audit(): AuditSettings {
    return {
      checkpointKey: this.env.AUDIT_CHECKPOINT_KEY,
      retentionDays: this.env.AUDIT_RETENTION_DAYS,
      checkpointIntervalMs: this.env.AUDIT_CHECKPOINT_INTERVAL_MS,
      maintenanceIntervalMs: this.env.AUDIT_MAINTENANCE_INTERVAL_MS,
      checkpointEveryEvents: this.env.AUDIT_CHECKPOINT_EVERY_EVENTS,
      checkpointSlackMs: this.env.AUDIT_CHECKPOINT_SLACK_MS,
      anchor: {
        sink: this.env.AUDIT_ANCHOR,
        file: this.env.AUDIT_ANCHOR_FILE,
        url: this.env.AUDIT_ANCHOR_URL,
        syslog: this.env.AUDIT_ANCHOR_SYSLOG,
      },
    };
  }

  get siem(): SiemSettings {
    const env = this.env;
    return {
      syslog: env.SIEM_SYSLOG_URL
        ? {
            url: env.SIEM_SYSLOG_URL,
            caFile: env.SIEM_SYSLOG_CA_FILE,
            servername: env.SIEM_SYSLOG_SERVERNAME,
            rejectUnauthorized: env.SIEM_SYSLOG_REJECT_UNAUTHORIZED,
            facility: env.SIEM_SYSLOG_FACILITY,
          }
        : undefined,
      http: env.SIEM_HTTP_URL ? { url: env.SIEM_HTTP_URL, token: env.SIEM_HTTP_TOKEN } : undefined,
      timeoutMs: env.SIEM_TIMEOUT_MS,
      minSeverity: env.SIEM_MIN_SEVERITY,
    };
  }

  /** Postgres search ranks at most this many matches per query (0: every match, exact totals). */
  get searchRankCandidates(): number {
    return this.env.SEARCH_RANK_CANDIDATES;
  }

  get healthCheckTimeoutMs(): number {
    return this.env.HEALTH_CHECK_TIMEOUT_MS;
  }

  get encryption(): EncryptionSettings {
    return {
      keysJson: this.env.ENCRYPTION_KEYS,
      keysFile: this.env.ENCRYPTION_KEYS_FILE,
      passphrase: this.env.ENCRYPTION_PASSPHRASE,
      salt: this.env.ENCRYPTION_SALT,
      blindIndexKey: this.env.BLIND_INDEX_KEY,
      rotationBatchSize: this.env.ENCRYPTION_ROTATION_BATCH_SIZE,
      rotationIntervalDays: this.env.ENCRYPTION_ROTATION_INTERVAL_DAYS,
    };
  }

  get privacy(): PrivacySettings {
    return {
      subjectKeyCacheSize: this.env.SUBJECT_KEY_CACHE_SIZE,
      subjectKeyCacheTtlMs: this.env.SUBJECT_KEY_CACHE_TTL_MS,
      erasureLedgerFile: resolve(this.env.ERASURE_LEDGER_FILE ?? join(this.dataDir, 'erasure-ledger.jsonl')),
    };
  }

  /** Embedded default: no DATABASE_URL outside production. */
  get isEmbeddedDefault(): boolean {
    return !this.env.DATABASE_URL && !this.isProduction;
  }

  get bootstrapAdmin(): { email?: string; password?: string } {
    return { email: this.env.ADMIN_EMAIL, password: this.env.ADMIN_PASSWORD };
  }

  get sessions(): SessionSettings {
    return {
      idleTimeoutSeconds: this.env.SESSION_IDLE_TIMEOUT_SECONDS,
      absoluteTimeoutSeconds: this.env.SESSION_ABSOLUTE_TIMEOUT_SECONDS,
      maxPerUser: this.env.SESSION_MAX_PER_USER,
      redisTimeoutMs: this.env.SESSION_REDIS_TIMEOUT_MS,
      circuitCooldownMs: this.env.SESSION_CIRCUIT_COOLDOWN_MS,
      syncIntervalMs: this.env.SESSION_SYNC_INTERVAL_MS,
      revocationSyncMs: this.env.SESSION_REVOCATION_SYNC_MS,
      cacheTtlMs: this.env.SESSION_CACHE_TTL_MS,
      cleanupIntervalMs: this.env.SESSION_CLEANUP_INTERVAL_MS,
      fingerprintMismatch: this.env.SESSION_FINGERPRINT_MISMATCH,
      maxLoginFailures: this.env.LOGIN_MAX_FAILURES,
      lockoutSeconds: this.env.LOGIN_LOCKOUT_SECONDS,
    };
  }

  get throttle(): ThrottleSettings {
    return {
      loginLimit: this.env.THROTTLE_LOGIN_LIMIT,
      apiLimit: this.env.THROTTLE_API_LIMIT,
      windowMs: this.env.THROTTLE_WINDOW_MS,
    };
  }

  get outbox(): OutboxSettings {
    return {
      pollIntervalMs: this.env.OUTBOX_POLL_INTERVAL_MS,
      maxAttempts: this.env.OUTBOX_MAX_ATTEMPTS,
      batchSize: this.env.OUTBOX_BATCH_SIZE,
    };
  }

  get compliance(): ComplianceSettings {
    return {
      cacheTtlSeconds: this.env.COMPLIANCE_CACHE_TTL_SECONDS,
      cacheLruMaxEntries: this.env.COMPLIANCE_CACHE_LRU_MAX_ENTRIES,
      eventsRetentionDays: this.env.COMPLIANCE_EVENTS_RETENTION_DAYS,
      partitionsAheadDays: this.env.COMPLIANCE_EVENTS_PARTITIONS_AHEAD_DAYS,
      partitionsIntervalMs: this.env.COMPLIANCE_EVENTS_PARTITION_INTERVAL_MS,
      bulkBodyLimitBytes: this.env.COMPLIANCE_BULK_BODY_LIMIT_BYTES,
    };
  }

  get securitySignals(): SecuritySignalSettings {
    return {
      authFailureBurst: this.env.SIGNAL_AUTH_FAILURE_BURST,
      authFailureWindowSeconds: this.env.SIGNAL_AUTH_FAILURE_WINDOW_SECONDS,
      networkSwitchWindowSeconds: this.env.SIGNAL_NETWORK_SWITCH_WINDOW_SECONDS,
      networkIpv4Prefix: this.env.SIGNAL_NETWORK_IPV4_PREFIX,
      networkIpv6Prefix: this.env.SIGNAL_NETWORK_IPV6_PREFIX,
      keyCidrWindowSeconds: this.env.SIGNAL_KEY_CIDR_WINDOW_SECONDS,
      massExportRows: this.env.SIGNAL_MASS_EXPORT_ROWS,
      massExportWindowSeconds: this.env.SIGNAL_MASS_EXPORT_WINDOW_SECONDS,
      counterMaxEntries: this.env.SIGNAL_COUNTER_MAX_ENTRIES,
    };
  }

  /** On when an OTLP exporter is asked for: OTEL_TRACES_EXPORTER=otlp, or unset with an endpoint. */
  get tracing(): TracingSettings {
    const env = this.env;
    const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const exporter = env.OTEL_TRACES_EXPORTER ?? (endpoint ? 'otlp' : 'none');
    return {
      enabled: !env.OTEL_SDK_DISABLED && exporter === 'otlp',
      serviceName: env.OTEL_SERVICE_NAME ?? 'compliance-kit',
      sampler: env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on',
      samplerRatio: env.OTEL_TRACES_SAMPLER_ARG,
      otlp: {
        url:
          env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
          `${(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? DEFAULT_OTLP_BASE).replace(/\/+$/, '')}/v1/traces`,
        protocol: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
        headers: parseKeyValuePairs(env.OTEL_EXPORTER_OTLP_HEADERS),
        timeoutMs: env.OTEL_EXPORTER_OTLP_TIMEOUT,
      },
    };
  }

  get controlGraph(): ControlGraphSettings {
    return {
      cacheTtlSeconds: this.env.CONTROL_GRAPH_CACHE_TTL_SECONDS,
      cacheLruMaxEntries: this.env.CONTROL_GRAPH_CACHE_LRU_MAX_ENTRIES,
    };
  }
}

/** `a=1,b=x%20y` into `{ a: '1', b: 'x y' }` (values percent-decoded, as the OTLP exporter specification says). */
function parseKeyValuePairs(raw: string | undefined): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const pair of raw?.split(',') ?? []) {
    const at = pair.indexOf('=');
    const value = pair.slice(at + 1).trim();
    pairs[pair.slice(0, at).trim()] = decodeOrKeep(value);
  }
  return pairs;
}

function decodeOrKeep(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
