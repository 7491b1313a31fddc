import { env } from "../env.ts";

/** Security settings the auth services take as arguments (tests pass their own). */
export interface AuthPolicy {
  sessionIdleMs: number;
  sessionMaxAgeMs: number;
  loginMaxFailures: number;
  loginLockoutMs: number;
  /** Failures older than this no longer count towards a lockout. */
  loginFailureWindowMs: number;
  passwordMinLength: number;
}

export function authPolicyFromEnv(e = env()): AuthPolicy {
  return {
    sessionIdleMs: e.MAESTRO_SESSION_IDLE_MINUTES * 60_000,
    sessionMaxAgeMs: e.MAESTRO_SESSION_MAX_AGE_HOURS * 3_600_000,
    loginMaxFailures: e.MAESTRO_LOGIN_MAX_FAILURES,
    loginLockoutMs: e.MAESTRO_LOGIN_LOCKOUT_MINUTES * 60_000,
    loginFailureWindowMs: e.MAESTRO_LOGIN_LOCKOUT_MINUTES * 60_000,
    passwordMinLength: e.MAESTRO_PASSWORD_MIN_LENGTH,
  };
}
