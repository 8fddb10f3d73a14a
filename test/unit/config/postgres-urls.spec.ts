import { validateEnvironment } from '../../../src/config/environment.js';
import { AppConfig } from '../../../src/config/app-config.js';
import { expandHostList, hostAndPort, isPostgresUrl, splitUrlList } from '../../../src/config/postgres-urls.js';

describe('Postgres URLs as libpq reads them', () => {
  it('expands a host list into one URL per host, in order, keeping credentials, path and query', () => {
    expect(expandHostList('postgres://app:s%40cret@db1:5432,db2:5433/ck?target_session_attrs=read-write')).toEqual([
      'postgres://app:s%40cret@db1:5432/ck?target_session_attrs=read-write',
      'postgres://app:s%40cret@db2:5433/ck?target_session_attrs=read-write',
    ]);
    expect(expandHostList('postgres://db1/ck')).toEqual(['postgres://db1/ck']);
  });

  it('splits DATABASE_REPLICA_URLS on the commas that start a URL', () => {
    expect(splitUrlList(' postgres://r1:5432/ck , postgresql://u:p@r2/ck?sslmode=require')).toEqual([
      'postgres://r1:5432/ck',
      'postgresql://u:p@r2/ck?sslmode=require',
    ]);
  });

  it.each([
    ['postgres://db1:5432,db2:5432/ck', true],
    ['postgres://db1/ck', true],
    ['postgres://db1:5432,db2:x/ck', false],
    ['postgres://db1:notaport/ck', false],
    ['mysql://db1/ck', false],
  ])('%s is a postgres URL: %p', (url, valid) => {
    expect(isPostgresUrl(url)).toBe(valid);
  });

  it('names a server by host:port only, never its credentials', () => {
    expect(hostAndPort('postgres://app:secret@replica-1/ck')).toBe('replica-1:5432');
  });

  it('accepts a host list in DATABASE_URL and replica URLs, and refuses a host list as one replica', () => {
    const config = new AppConfig(
      validateEnvironment({
        DATABASE_URL: 'postgres://db1:5432,db2:5432/ck',
        DATABASE_REPLICA_URLS: 'postgres://r1/ck,postgres://r2/ck',
      }),
    );
    expect(config.database.replicas.urls).toEqual(['postgres://r1/ck', 'postgres://r2/ck']);
    expect(() => validateEnvironment({ DATABASE_REPLICA_URLS: 'postgres://r1,r2/ck' })).toThrow(
      'Invalid configuration: DATABASE_REPLICA_URLS must be comma-separated single-host postgres:// URLs',
    );
    expect(() => validateEnvironment({ DATABASE_DIRECT_URL: 'http://db' })).toThrow(
      'Invalid configuration: DATABASE_DIRECT_URL must be a postgres:// URL',
    );
  });
});
