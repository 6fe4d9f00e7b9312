import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: resolve('.orgstream'),
      embeddedPostgresPort: 5433,
      adminToken: undefined,
      databasePoolSize: 20,
      tokenRecheckMs: 10_000,
      tokenCacheMs: 2_000,
      frictionTimerMs: 60_000,
      snapshots: 32,
      residentOrganizations: 16,
      answerCacheBytes: 64 * 1024 * 1024,
      wsStallMs: 30_000,
      wsKeepAliveMs: 12_000,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://u:p@db:5432/orgstream',
      ORGSTREAM_DATA_DIR: '/var/lib/orgstream',
      ORGSTREAM_EMBEDDED_PG_PORT: '6543',
      ORGSTREAM_ADMIN_TOKEN: 'a-very-long-platform-secret',
      ORGSTREAM_DB_POOL_SIZE: '5',
      ORGSTREAM_TOKEN_CACHE_MS: '0',
      ORGSTREAM_ANSWER_CACHE_MB: '0.5',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgresql://u:p@db:5432/orgstream',
      dataDir: '/var/lib/orgstream',
      embeddedPostgresPort: 6543,
      adminToken: 'a-very-long-platform-secret',
      databasePoolSize: 5,
      tokenCacheMs: 0,
      answerCacheBytes: 512 * 1024,
      logLevel: 'debug',
    });
  });

  it('treats an empty DATABASE_URL as unset (embedded)', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it.each([
    ['PORT', '99999'],
    ['PORT', 'abc'],
    ['DATABASE_URL', 'http://example.com'],
    ['ORGSTREAM_ADMIN_TOKEN', 'too-short'],
    ['LOG_LEVEL', 'loud'],
    ['ORGSTREAM_TOKEN_CACHE_MS', '-1'],
    ['ORGSTREAM_ANSWER_CACHE_MB', '-1'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigurationError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
