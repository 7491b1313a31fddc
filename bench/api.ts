// Baseline costs of the platform's hot paths on the embedded database: resolving an
// API key or a session cookie to a principal, a team-scoped tRPC query through the procedure ladder, and a
// password sign-in (argon2id). Prints JSON; run with `npm run bench:api`.
import { performance } from "node:perf_hooks";
import { openDatabase } from "../server/db/client.ts";
import { applyMigrations } from "../server/db/migrate.ts";
import { seedFixtures, testPolicy, TEST_PASSWORD, principalFor } from "../server/test/fixtures.ts";
import { principalFromHeaders } from "../server/auth/principal.ts";
import { encode } from "next-auth/jwt";
import { authenticateWithPassword } from "../server/auth/login.ts";
import { createApiKey } from "../server/modules/apikeys/index.ts";
import { createCaller } from "../server/api/root.ts";
import { createContextForPrincipal } from "../server/api/context.ts";

function summarise(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(3));
  return { runs: samples.length, p50Ms: at(0.5), p99Ms: at(0.99), meanMs: Number((samples.reduce((a, b) => a + b, 0) / samples.length).toFixed(3)) };
}

async function measure(runs: number, work: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(20, runs); i++) await work(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  return summarise(samples);
}

const database = await openDatabase({ kind: "pglite" });
await applyMigrations(database.migrationTarget);
const f = await seedFixtures(database.prisma);
const admin = await principalFor(f.db, f.users.admin.id);
const { key } = await createApiKey(f.db, { userId: admin.userId, label: admin.email, scopes: admin.memberships[0]!.scopes, apiKeyId: null }, {
  teamId: f.team.id,
  name: "bench",
  scopes: ["users:admin", "team:read"],
});
const SECRET = "bench-secret-0123456789abcdef0123456789";
const session = await authenticateWithPassword(f.db, testPolicy, { email: "admin@acme.test", password: TEST_PASSWORD });
const sessionCookie = `next-auth.session-token=${await encode({ token: { uid: session.userId, sid: session.sessionId }, secret: SECRET })}`;
const caller = createCaller(createContextForPrincipal(f.db, testPolicy, admin));
const rssBefore = process.memoryUsage().rss;

const results = {
  backend: database.kind,
  apiKeyPrincipal: await measure(500, () => principalFromHeaders(f.db, testPolicy, SECRET, { authorization: `Bearer ${key}` })),
  sessionCookiePrincipal: await measure(500, () => principalFromHeaders(f.db, testPolicy, SECRET, { cookie: sessionCookie })),
  trpcUsersList: await measure(500, () => caller.users.list({ teamId: f.team.id, limit: 25 })),
  passwordSignIn: await measure(30, () => authenticateWithPassword(f.db, { ...testPolicy, loginMaxFailures: 1e9 }, { email: "viewer@acme.test", password: TEST_PASSWORD, ip: "127.0.0.1" })),
  rssGrowthMb: Number(((process.memoryUsage().rss - rssBefore) / 1048576).toFixed(1)),
};
await database.close();
process.stdout.write(JSON.stringify(results, null, 2) + "\n");
