import type { Db } from "../db/client.ts";
import { db } from "../db/client.ts";
import type { Principal } from "../auth/principal.ts";
import { principalFromHeaders } from "../auth/principal.ts";
import type { AuthPolicy } from "../auth/policy.ts";
import { authPolicyFromEnv } from "../auth/policy.ts";
import { authSecret } from "../auth/secret.ts";
import { CLIENT_IP_HEADER } from "../shared/http-headers.ts";

export interface Context {
  db: Db;
  principal: Principal | null;
  policy: AuthPolicy;
  ip: string | null;
  userAgent: string | null;
}

/** Context for an HTTP request (fetch API headers), used by the /api/trpc handler and the RSC caller. */
export async function createContextFromHeaders(headers: Headers): Promise<Context> {
  const database = await db();
  const policy = authPolicyFromEnv();
  const principal = await principalFromHeaders(database, policy, authSecret(), {
    authorization: headers.get("authorization"),
    cookie: headers.get("cookie"),
  });
  return { db: database, principal, policy, ip: headers.get(CLIENT_IP_HEADER), userAgent: headers.get("user-agent") };
}

/** Context for a known principal: tests, the CLI and server-side jobs. */
export function createContextForPrincipal(database: Db, policy: AuthPolicy, principal: Principal | null): Context {
  return { db: database, principal, policy, ip: null, userAgent: null };
}
