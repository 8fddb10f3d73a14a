import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min, validateSync } from 'class-validator';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const toBoolean = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
const blankToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

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

  @Transform(blankToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_host: false })
  DATABASE_URL?: string;

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

  @Transform(blankToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false })
  REDIS_URL?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false })
  ELASTICSEARCH_NODE?: string;

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

  @IsInt()
  @Min(0)
  @Max(100_000)
  SEARCH_RANK_CANDIDATES = 0;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

const INTEGER_KEYS = Object.keys(new Environment()).filter(
  (key) => typeof new Environment()[key as keyof Environment] === 'number',
);

/** Validates raw variables; throws a one-line ConfigurationError naming the first bad variable. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const known = Object.keys(new Environment()).concat('DATABASE_URL', 'REDIS_URL', 'ELASTICSEARCH_NODE');
  const picked: Record<string, unknown> = {};
  for (const key of known) {
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
  return environment;
}
