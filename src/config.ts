// Configuration from the environment (see README "Configuration" and API.md).
// Parsed once with zod so a bad value stops the process with a clear message
// instead of surfacing later as a confusing runtime error.
import { resolve } from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

const environment = z.object({
  PORT: port.default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  ORGSTREAM_DATA_DIR: z.string().min(1).default('.orgstream'),
  ORGSTREAM_EMBEDDED_PG_PORT: port.default(5433),
  ORGSTREAM_ADMIN_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16).optional()),
  ORGSTREAM_DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  ORGSTREAM_WS_TOKEN_RECHECK_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  ORGSTREAM_TOKEN_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
  ORGSTREAM_WS_KEEPALIVE_MS: z.coerce.number().int().min(100).max(600_000).default(12_000),
  ORGSTREAM_WS_STALL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  ORGSTREAM_FRICTION_TIMER_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  ORGSTREAM_SNAPSHOTS: z.coerce.number().int().min(1).max(10_000).default(32),
  ORGSTREAM_RESIDENT_ORGS: z.coerce.number().int().min(0).max(100_000).default(16),
  ORGSTREAM_ANSWER_CACHE_MB: z.coerce.number().min(0).max(1_048_576).default(64),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = {
  port: number;
  host: string;
  /** Unset: run the embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  adminToken: string | undefined;
  databasePoolSize: number;
  /** How often open WebSocket subscriptions re-check their token (revocation). */
  tokenRecheckMs: number;
  /** How long a verified API token is accepted without reading api_tokens again (0: never). */
  tokenCacheMs: number;
  /** WebSocket ping interval: keeps idle subscriptions alive through proxies and finds dead peers. */
  wsKeepAliveMs: number;
  /** How long a WebSocket may leave bytes unread, with no message getting through, before it is closed as a slow consumer (1013). */
  wsStallMs: number;
  /** How often due friction timers are fired (signals that time alone raises or resolves). */
  frictionTimerMs: number;
  /** How many snapshots of the past (time travel) are kept for reuse. */
  snapshots: number;
  /** How many organizations' read models commands keep in memory (0: none, every command reads the tables). */
  residentOrganizations: number;
  /** Bytes of serialized query answers kept per process, keyed by the organization's read-model version (0: off). */
  answerCacheBytes: number;
  logLevel: z.infer<typeof environment>['LOG_LEVEL'];
};

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.ORGSTREAM_DATA_DIR),
    embeddedPostgresPort: e.ORGSTREAM_EMBEDDED_PG_PORT,
    adminToken: e.ORGSTREAM_ADMIN_TOKEN,
    databasePoolSize: e.ORGSTREAM_DB_POOL_SIZE,
    tokenRecheckMs: e.ORGSTREAM_WS_TOKEN_RECHECK_MS,
    tokenCacheMs: e.ORGSTREAM_TOKEN_CACHE_MS,
    frictionTimerMs: e.ORGSTREAM_FRICTION_TIMER_MS,
    snapshots: e.ORGSTREAM_SNAPSHOTS,
    residentOrganizations: e.ORGSTREAM_RESIDENT_ORGS,
    answerCacheBytes: Math.floor(e.ORGSTREAM_ANSWER_CACHE_MB * 1024 * 1024),
    wsStallMs: e.ORGSTREAM_WS_STALL_MS,
    wsKeepAliveMs: e.ORGSTREAM_WS_KEEPALIVE_MS,
    logLevel: e.LOG_LEVEL,
  };
}
