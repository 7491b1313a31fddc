import { getDatabase, locationFromEnv } from "@/server/db/client";
import { sharedRedis } from "@/server/redis";
import { checkHealth } from "@/server/modules/health";
import { appVersion } from "@/server/version";

export const dynamic = "force-dynamic";

export async function GET() {
  const health = await checkHealth({ database: getDatabase, dbKind: locationFromEnv().kind, redis: sharedRedis(), version: appVersion() });
  return Response.json(health, { status: health.dbReachable ? 200 : 503, headers: { "cache-control": "no-store" } });
}
