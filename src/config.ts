// The only reader of process.env. Every setting is parsed and checked once, all problems are
// reported together, and the result is a frozen, typed object handed to the composition root.
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const port = z.coerce.number().int().min(0).max(65535);

const envSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  PHANTOM_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .refine((u) => /^(file:|postgres(ql)?:\/\/)/.test(u), 'must be a file: (SQLite) or postgresql:// URL')
    .optional(),
  PHANTOM_SECRET_KEY: z
    .string()
    .refine((k) => decodeKey(k) !== null, 'must be 32 bytes as 64 hex characters or base64')
    .optional(),
  PHANTOM_SITES_FILE: z.string().min(1).optional(),
  PHANTOM_TOKEN_TTL_SECONDS: z.coerce.number().int().min(0).default(0),
  PHANTOM_MAX_TOKENS_PER_USER: z.coerce.number().int().min(1).max(10000).default(100),
  /** How long a successful token lookup is reused in this process; 0 turns the cache off. */
  PHANTOM_AUTH_CACHE_SECONDS: z.coerce.number().min(0).max(300).default(5),
  PHANTOM_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  PHANTOM_LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(100),
  PHANTOM_LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  PHANTOM_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  TRUST_PROXY: z.string().default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PHANTOM_SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(0).default(25),
  PHANTOM_ENGINE: boolish.default(true),
  PHANTOM_TICK_SECONDS: z.coerce.number().min(0.05).max(3600).default(5),
  PHANTOM_BOOT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(300),
  PHANTOM_TERMINAL_RETENTION_SECONDS: z.coerce.number().int().min(0).default(7200),
  PHANTOM_ACTIVITY_RETENTION_DAYS: z.coerce.number().min(0).default(7),
  /** How long pushed metric samples are kept; at least the engine's sample window. */
  PHANTOM_SENSOR_RETENTION_SECONDS: z.coerce.number().int().min(300).max(30 * 86_400).default(3600),
  /** Prometheus metrics on a listener of their own (0 = an ephemeral port); off when unset. */
  PHANTOM_METRICS_PORT: port.optional(),
  PHANTOM_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Also serves /metrics on the main port, to scrapers sending `Authorization: Bearer <token>`. */
  PHANTOM_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 24`)').optional(),
});

export type DatabaseKind = 'sqlite' | 'postgres';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly database: { readonly kind: DatabaseKind; readonly url: string };
  /** 32-byte key for AES-256-GCM, or null when it must be generated into the data directory. */
  readonly secretKey: Buffer | null;
  readonly sitesFile: string | null;
  readonly tokenTtlSeconds: number;
  readonly maxTokensPerUser: number;
  /**
   * Successful token lookups are reused for this long (0 = off). A revocation in this process takes
   * effect at once; one made by another replica or the CLI, within this many seconds.
   */
  readonly authCacheSeconds: number;
  readonly login: { readonly maxFailures: number; readonly maxFailuresPerAddress: number; readonly windowSeconds: number };
  readonly bodyLimitBytes: number;
  /** Passed to Express's `trust proxy` setting. */
  readonly trustProxy: boolean | number | string;
  readonly logLevel: string;
  readonly shutdownTimeoutSeconds: number;
  readonly engineEnabled: boolean;
  /** The scaling engine's settings (src/engine). */
  readonly engine: {
    readonly tickSeconds: number;
    /** A VM still PENDING this long after launch is terminated and marked 900-FAILED. */
    readonly bootTimeoutSeconds: number;
    /** Terminal instance records (800, 900, 950) stay listed this long. */
    readonly terminalRetentionSeconds: number;
    readonly activityRetentionDays: number;
  };
  readonly sensorRetentionSeconds: number;
  /**
   * Prometheus metrics (GET /metrics), or null when off (the default): on their own listener when
   * `port` is set, on the main port behind a bearer token when `token` is set (both may be).
   */
  readonly metrics: { readonly port: number | null; readonly host: string; readonly token: string | null } | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function decodeKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t, 'base64');
    return b.length === 32 ? b : null;
  }
  return null;
}

function parseTrustProxy(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (v === 'false' || v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v; // addresses, CIDRs or names such as "loopback", as Express understands them
}

/** Parses the environment (process.env by default). Throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const dataDir = isAbsolute(e.PHANTOM_DATA_DIR) ? e.PHANTOM_DATA_DIR : resolve(cwd, e.PHANTOM_DATA_DIR);
  const url = e.DATABASE_URL ?? `file:${join(dataDir, 'phantom.db')}`;
  const kind: DatabaseKind = url.startsWith('file:') ? 'sqlite' : 'postgres';
  const problems: string[] = [];
  if (kind === 'postgres' && !e.PHANTOM_SECRET_KEY) {
    problems.push('PHANTOM_SECRET_KEY: required with PostgreSQL (generate one with `openssl rand -hex 32`)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database: Object.freeze({ kind, url }),
    secretKey: e.PHANTOM_SECRET_KEY ? decodeKey(e.PHANTOM_SECRET_KEY) : null,
    sitesFile: e.PHANTOM_SITES_FILE ? resolve(cwd, e.PHANTOM_SITES_FILE) : null,
    tokenTtlSeconds: e.PHANTOM_TOKEN_TTL_SECONDS,
    maxTokensPerUser: e.PHANTOM_MAX_TOKENS_PER_USER,
    authCacheSeconds: e.PHANTOM_AUTH_CACHE_SECONDS,
    login: Object.freeze({
      maxFailures: e.PHANTOM_LOGIN_MAX_FAILURES,
      maxFailuresPerAddress: e.PHANTOM_LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: e.PHANTOM_LOGIN_WINDOW_SECONDS,
    }),
    bodyLimitBytes: e.PHANTOM_BODY_LIMIT_BYTES,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutSeconds: e.PHANTOM_SHUTDOWN_TIMEOUT_SECONDS,
    engineEnabled: e.PHANTOM_ENGINE,
    engine: Object.freeze({
      tickSeconds: e.PHANTOM_TICK_SECONDS,
      bootTimeoutSeconds: e.PHANTOM_BOOT_TIMEOUT_SECONDS,
      terminalRetentionSeconds: e.PHANTOM_TERMINAL_RETENTION_SECONDS,
      activityRetentionDays: e.PHANTOM_ACTIVITY_RETENTION_DAYS,
    }),
    sensorRetentionSeconds: e.PHANTOM_SENSOR_RETENTION_SECONDS,
    metrics:
      e.PHANTOM_METRICS_PORT === undefined && e.PHANTOM_METRICS_TOKEN === undefined
        ? null
        : Object.freeze({ port: e.PHANTOM_METRICS_PORT ?? null, host: e.PHANTOM_METRICS_HOST, token: e.PHANTOM_METRICS_TOKEN ?? null }),
  });
}
