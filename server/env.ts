// The only reader of process.env. Every setting is validated here, once, and a wrong
// value stops start-up with a message naming the variable and what it expects.
import { z } from "zod";

const flag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** The URL users reach Maestro at; used for links and auth callbacks. */
  MAESTRO_PUBLIC_URL: z.url().optional(),
  MAESTRO_DATA_DIR: z.string().default("./data"),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  ),
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
      .optional(),
  ),
  /** Signs session tokens. Generated and kept in the data dir when unset. */
  MAESTRO_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  /** Encrypts provider keys at rest: 64 hex chars, 32 base64 bytes, or a long passphrase. Derived from MAESTRO_SECRET when unset. */
  MAESTRO_ENCRYPTION_KEY: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  MAESTRO_ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  MAESTRO_ADMIN_PASSWORD: optionalString,
  MAESTRO_SESSION_IDLE_MINUTES: positiveInt(120),
  MAESTRO_SESSION_MAX_AGE_HOURS: positiveInt(24 * 7),
  MAESTRO_LOGIN_MAX_FAILURES: positiveInt(5),
  MAESTRO_LOGIN_LOCKOUT_MINUTES: positiveInt(15),
  MAESTRO_PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(128).default(12),
  MAESTRO_MAX_REQUEST_BYTES: positiveInt(1024 * 1024),
  /** Memory bound of the in-process response cache (ignored with REDIS_URL, which caches in Redis). */
  MAESTRO_CACHE_MAX_MB: positiveInt(64),
  /** Attempts per provider call (first try plus retries) on 429, 5xx, timeouts and dropped connections. */
  MAESTRO_LLM_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Steps one node executes at once (0 on a web node: it schedules, workers execute). */
  MAESTRO_WORKER_CONCURRENCY: z.coerce.number().int().min(0).max(1000).default(8),
  /** How step jobs reach workers with Redis: competing consumers, or routed per node. */
  MAESTRO_LOAD_BALANCING: z.enum(["competing", "round-robin", "least-connections", "resource"]).default("competing"),
  /** Runs of one team executing at once, unless the team sets its own limit; more wait in line by priority. */
  MAESTRO_MAX_CONCURRENT_RUNS: positiveInt(10),
  /** Hosts http steps and the http_fetch tool may reach: comma-separated (`*`, `api.example.com`, `*.example.com`, `host:port`). */
  MAESTRO_HTTP_ALLOWLIST: z.string().default("*"),
  /** Limits of the JavaScript sandbox for code steps and conditions. */
  MAESTRO_SANDBOX_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(5000),
  MAESTRO_SANDBOX_MEMORY_MB: z.coerce.number().int().min(8).max(256).default(64),
  /** Worker heartbeat; a node silent for three beats is marked lost and its work recovered. */
  MAESTRO_NODE_HEARTBEAT_MS: z.coerce.number().int().min(200).max(60_000).default(5000),
  /** How often each node sweeps for stuck runs and lost nodes. */
  MAESTRO_RECOVERY_INTERVAL_MS: z.coerce.number().int().min(200).max(600_000).default(10_000),
  /** With Redis: the key prefix of Maestro's queues, so installations (or test runs) can share one Redis. */
  MAESTRO_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "may use letters, digits, _ and - (at most 40)").default("maestro"),
  /** With Redis: how long a worker holds a job before another may take it over (crash detection). */
  MAESTRO_QUEUE_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  MAESTRO_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  MAESTRO_OAUTH_ALLOW_SIGNUP: flag.default(false),
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  OIDC_ISSUER: optionalString.pipe(z.url().optional()),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  OIDC_NAME: z.string().default("Single sign-on"),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(public readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** A rejected value as it may be shown back: secrets hidden, URL passwords masked. */
function showable(name: string, value: string): string {
  if (/SECRET|PASSWORD|KEY/.test(name)) return `${value.length} characters`;
  return `"${value.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@")}"`;
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => {
        const name = issue.path.join(".") || "(environment)";
        const got = source[name];
        return `${name}: ${issue.message}${got !== undefined ? ` (got ${showable(name, got)})` : ""}`;
      }),
    );
  }
  const env = result.data;
  const pairs: [keyof Env, keyof Env][] = [
    ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"],
    ["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"],
  ];
  const missing = pairs.flatMap(([a, b]) =>
    Boolean(env[a]) !== Boolean(env[b]) ? [`${env[a] ? b : a}: must be set together with ${env[a] ? a : b}`] : [],
  );
  if (env.OIDC_CLIENT_ID && !env.OIDC_ISSUER) missing.push("OIDC_ISSUER: required when OIDC_CLIENT_ID is set");
  if (missing.length) throw new EnvError(missing);
  return env;
}

let cached: Env | undefined;

/** The validated configuration of this process (parsed on first use). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests and the CLI, which adjust variables before services start. */
export function resetEnvCache(): void {
  cached = undefined;
}

/** Next-auth reads these two from the environment itself; we derive and set them once. */
export function exportAuthEnvironment(values: { secret: string; url: string }): void {
  process.env.NEXTAUTH_SECRET = values.secret;
  process.env.NEXTAUTH_URL = values.url;
  process.env.MAESTRO_SECRET = values.secret;
  cached = undefined;
}

export function publicUrl(e: Env = env()): string {
  return e.MAESTRO_PUBLIC_URL ?? `http://localhost:${e.PORT}`;
}

export const isTest = () => env().NODE_ENV === "test";
