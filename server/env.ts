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
