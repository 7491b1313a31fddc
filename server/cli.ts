// `maestro` command line. Database commands go straight to PostgreSQL when DATABASE_URL
// is set; in the embedded mode they go through the running server, which owns the
// PGlite data dir, or open it themselves when no server runs.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { env, EnvError } from "./env.ts";
import { REPO_ROOT } from "./paths.ts";
import { BridgeError, callRunningServer, runningServer } from "./cli/bridge.ts";
import { runCliCommand, type CliCommand } from "./cli/commands.ts";
import { ConfigurationError, isDomainError } from "./errors.ts";
import { closeDatabase } from "./db/client.ts";
import { prepareEnvironment } from "./boot.ts";
import { createMigration } from "./db/migrate.ts";
import { ROLES } from "./shared/rbac.ts";
import type { CliUsageResult } from "./modules/usage/index.ts";
import type { CliWorkflowList } from "./cli/workflow-commands.ts";
import type { RunDto } from "./shared/runs.ts";

const HELP = `maestro — self-hosted control plane for AI agents

Usage: maestro <command> [options]

Commands:
  start [--dev] [--rebuild]     Build if needed, apply migrations, create the first admin, serve on PORT
  run <workflow> [--input JSON|FILE] [--team SLUG] [--priority N] [--json]
                                Run a workflow (or a template, e.g. agent-pipeline) and show each step's progress;
                                prints the result and cost (--json: the final run as JSON). Exit code 0 when it succeeded
  workflows list [--team SLUG] [--json]
                                The team's workflows and the templates a run can start from
  worker [--concurrency N]      Execute workflow steps from Redis (needs DATABASE_URL and REDIS_URL); npm run worker
  migrate                       Apply pending database migrations
  migrate status                List applied and pending migrations
  migrate create <name>         Write a new migration from changes to prisma/schema.prisma
  user create --email E --role R --team SLUG [--name N] [--password P]
                                Add a person to a team (roles: ${ROLES.join(", ")}); prints a generated password when none is given
  user reset-password --email E [--password P]
                                Set a new password (generated when none is given) and end the person's sessions
  apikey create --email E --team SLUG [--name N] [--scopes a,b,c]
                                Create an API key for a member of a team (scopes default to all their role grants);
                                prints the key once
  usage --team SLUG [--since 7d|24h|30d|2026-11-01] [--json]
                                Spend by provider and model since then (default 30d); --json prints the rows
  help                          Show this help

Configuration comes from environment variables; see .env.example and the README.`;

const say = (line: string) => process.stdout.write(line + "\n");
const fail = (line: string) => {
  process.stderr.write(`maestro: ${line}\n`);
  return 1;
};

/** Runs a database command where the database is: directly, or through the running server. */
async function runDatabaseCommand(command: CliCommand): Promise<unknown> {
  const e = env();
  const server = e.DATABASE_URL ? null : runningServer(e);
  if (server) return callRunningServer(server, command);
  try {
    return await runCliCommand(command);
  } finally {
    await closeDatabase();
  }
}

const BUILD_INPUTS = ["app", "components", "server", "public", "next.config.js", "package-lock.json", "proxy.ts"];

/** The newest modification time among the files the web build is made from. */
function newestSourceTime(entry: string): number {
  const full = path.join(REPO_ROOT, entry);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(full).map((name) => newestSourceTime(path.join(entry, name))));
}

/** Builds on first start, and again after an update changed the sources (git pull). */
function buildIfNeeded(rebuild: boolean) {
  const buildId = path.join(REPO_ROOT, ".next", "BUILD_ID");
  const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const stale = built > 0 && Math.max(...BUILD_INPUTS.map(newestSourceTime)) > built;
  if (!rebuild && built > 0 && !stale) return;
  say(built ? "The sources changed since the last build; rebuilding the web app..." : "Building the web app (first start only, about a minute)...");
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: REPO_ROOT,
    stdio: "inherit", // bin/maestro.mjs has set NEXT_TELEMETRY_DISABLED for this process and its children
  });
  if (result.status !== 0) throw new Error("The web app did not build; see the output above.");
}

async function start(args: string[]) {
  const { values } = parseArgs({ args, options: { dev: { type: "boolean" }, rebuild: { type: "boolean" } } });
  if (!values.dev) buildIfNeeded(Boolean(values.rebuild));
  const { startServer } = await import("./http.ts");
  const running = await startServer({ dev: values.dev, announce: say });
  const stop = async (signal: string) => {
    say(`\n${signal} received, shutting down...`);
    await running.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  return new Promise<number>(() => {}); // Serves until a signal arrives.
}

/** Calls a database command here or in the running server; starts an engine here when none runs. */
async function withEngine<T>(work: (call: (command: CliCommand) => Promise<unknown>) => Promise<T>): Promise<T> {
  const e = env();
  const server = e.DATABASE_URL ? null : runningServer(e);
  if (server) return work((command) => callRunningServer(server, command));
  const prepared = await prepareEnvironment();
  const { openAndMigrate } = await import("./boot.ts");
  const { gatewayServices, stopGatewayServices } = await import("./modules/gateway/index.ts");
  const { startEngine, stopEngine } = await import("./engine/index.ts");
  const { bootstrapAdmin } = await import("./modules/setup/index.ts");
  const { authPolicyFromEnv } = await import("./auth/policy.ts");
  const { database } = await openAndMigrate();
  // A first command on a new installation sets it up as `maestro start` would.
  const admin = await bootstrapAdmin(database.prisma, authPolicyFromEnv(), { email: prepared.MAESTRO_ADMIN_EMAIL, password: prepared.MAESTRO_ADMIN_PASSWORD });
  if (admin.created) {
    process.stderr.write(`First start: created the admin ${admin.email} in team "default".\n`);
    if (admin.generatedPassword) process.stderr.write(`Its password, shown this once: ${admin.generatedPassword}\n`);
  }
  gatewayServices();
  await startEngine({ role: "worker" });
  try {
    return await work(runCliCommand);
  } finally {
    await stopEngine({ drain: false });
    await stopGatewayServices();
    await closeDatabase();
  }
}

/** --input as inline JSON, or a path to a JSON file. */
function readRunInput(value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  const text = value.trim().startsWith("{") ? value : existsSync(value) ? readFileSync(value, "utf8") : null;
  if (text === null) throw new ConfigurationError(`--input is neither JSON nor a file that exists: ${value}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`--input is not valid JSON: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new ConfigurationError('--input must be a JSON object, e.g. {"request": "..."}');
  return parsed as Record<string, unknown>;
}

async function run(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { input: { type: "string" }, team: { type: "string" }, priority: { type: "string" }, json: { type: "boolean" } },
  });
  const workflow = positionals[0];
  if (!workflow) return fail('run needs a workflow: maestro run agent-pipeline --input \'{"request": "..."}\'');
  const input = readRunInput(values.input);
  const priority = values.priority === undefined ? 0 : Number(values.priority);
  if (!Number.isInteger(priority) || priority < -100 || priority > 100) return fail("--priority must be a whole number from -100 to 100");
  const { renderLines, changedLines, summary } = await import("./cli/progress.ts");
  const final = await withEngine(async (call) => {
    const started = (await call({ name: "run.start", args: { team: values.team, workflow, input, priority } })) as { runId: string; team: string; createdWorkflow: boolean };
    if (started.createdWorkflow && !values.json) say(`Created workflow "${workflow}" in team "${started.team}" from its template.`);
    const tty = process.stdout.isTTY && !values.json;
    const seen = new Map<string, string>();
    let drawn = 0;
    for (let delay = 100; ; delay = Math.min(delay * 1.5, 500)) {
      const current = (await call({ name: "run.get", args: { team: started.team, runId: started.runId } })) as RunDto;
      if (tty) {
        const lines = renderLines(current);
        if (drawn) process.stdout.write(`\x1b[${drawn}F\x1b[J`);
        process.stdout.write(lines.join("\n") + "\n");
        drawn = lines.length;
      } else if (!values.json) {
        for (const line of changedLines(current, seen)) say(line);
      }
      if (["SUCCEEDED", "FAILED", "CANCELLED", "COMPENSATED"].includes(current.status)) return current;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  });
  say(values.json ? JSON.stringify(final, null, 2) : `\n${summary(final)}`);
  return final.status === "SUCCEEDED" ? 0 : 1;
}

async function workflows(args: string[]) {
  const [sub, ...rest] = args;
  if (sub !== "list") return fail(`unknown workflows command "${sub ?? ""}". Try: maestro workflows list`);
  const { values } = parseArgs({ args: rest, options: { team: { type: "string" }, json: { type: "boolean" } } });
  const result = (await runDatabaseCommand({ name: "workflows.list", args: { team: values.team } })) as CliWorkflowList;
  if (values.json) {
    say(JSON.stringify(result, null, 2));
    return 0;
  }
  say(`Workflows of team "${result.team}":`);
  say(
    result.workflows.length
      ? textTable(
          ["Slug", "Name", "Version", "Steps", "Last run"],
          result.workflows.map((w) => [w.slug, w.name, String(w.latestVersion), String(w.stepCount), w.lastRun ? `${w.lastRun.status.toLowerCase()} ${w.lastRun.createdAt.slice(0, 16)}` : "-"]),
          [false, false, true, true, false],
        )
      : "None yet.",
  );
  say("\nTemplates (maestro run <slug> creates the workflow from its template):");
  say(textTable(["Slug", "Name", ""], result.templates.map((t) => [t.slug, t.name, t.created ? "(created)" : ""]), [false, false, false]));
  return 0;
}

async function worker(args: string[]) {
  const { values } = parseArgs({ args, options: { concurrency: { type: "string" } } });
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) return fail("--concurrency must be a whole number of at least 1");
  const { startWorker } = await import("./worker.ts");
  const running = await startWorker({ ...(concurrency ? { concurrency } : {}), announce: say, onDrained: () => process.exit(0) });
  let signals = 0;
  const stop = async (signal: string) => {
    signals += 1;
    if (signals > 1) {
      say(`${signal} again: stopping now; running steps are picked up by other workers.`);
      await running.close(false);
      process.exit(1);
    }
    say(`\n${signal} received: finishing the running steps (send it again to stop at once)...`);
    await running.close(true);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  return new Promise<number>(() => {}); // Works until a signal arrives or an operator drains it.
}

async function migrate(args: string[]) {
  const [sub, name] = args;
  if (sub === "create") {
    if (!name || !/^[a-z0-9_]+$/i.test(name)) return fail("migrate create needs a name of letters, digits and underscores, e.g. add_budgets");
    // Diffed against a scratch embedded database with the committed migrations applied.
    const { PGlite } = await import("@electric-sql/pglite");
    const scratch = new PGlite();
    try {
      const created = await createMigration({ kind: "pglite", client: scratch }, name);
      say(created.directory ? `Wrote ${path.relative(REPO_ROOT, created.directory)}/migration.sql` : "The schema has no changes; no migration written.");
    } finally {
      await scratch.close();
    }
    return 0;
  }
  if (sub === "status") {
    const status = (await runDatabaseCommand({ name: "migrate.status", args: {} })) as { applied: string[]; pending: string[]; failed: string[] };
    say(`Applied (${status.applied.length}):${status.applied.map((n) => `\n  ${n}`).join("")}`);
    say(`Pending (${status.pending.length}):${status.pending.map((n) => `\n  ${n}`).join("")}`);
    if (status.failed.length) say(`Failed (${status.failed.length}):${status.failed.map((n) => `\n  ${n}`).join("")}`);
    return status.failed.length ? 1 : 0;
  }
  if (sub !== undefined) return fail(`unknown migrate command "${sub}". Try: maestro migrate | migrate status | migrate create <name>`);
  const { applied } = (await runDatabaseCommand({ name: "migrate.apply", args: {} })) as { applied: string[] };
  say(applied.length ? `Applied ${applied.length} migration(s):${applied.map((n) => `\n  ${n}`).join("")}` : "The database is up to date.");
  return 0;
}

async function user(args: string[]) {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: "string" }, role: { type: "string" }, team: { type: "string" }, name: { type: "string" }, password: { type: "string" } },
  });
  if (sub === "create") {
    if (!values.email || !values.role || !values.team) return fail("user create needs --email, --role and --team");
    const result = (await runDatabaseCommand({
      name: "user.create",
      args: { email: values.email, role: values.role as (typeof ROLES)[number], team: values.team, name: values.name, password: values.password },
    })) as { email: string; team: string; role: string; createdAccount: boolean; generatedPassword?: string };
    say(`${result.createdAccount ? "Created" : "Added"} ${result.email} as ${result.role} in team "${result.team}".`);
    if (result.generatedPassword) say(`Password (shown once; they will be asked to change it): ${result.generatedPassword}`);
    return 0;
  }
  if (sub === "reset-password") {
    if (!values.email) return fail("user reset-password needs --email");
    const result = (await runDatabaseCommand({ name: "user.reset-password", args: { email: values.email, password: values.password } })) as {
      email: string;
      sessionsEnded: number;
      generatedPassword?: string;
    };
    say(`Password reset for ${result.email}; ${result.sessionsEnded} session(s) ended.`);
    if (result.generatedPassword) say(`New password (shown once; they will be asked to change it): ${result.generatedPassword}`);
    return 0;
  }
  return fail(`unknown user command "${sub ?? ""}". Try: maestro user create | user reset-password`);
}

async function apikey(args: string[]) {
  const [sub, ...rest] = args;
  if (sub !== "create") return fail(`unknown apikey command "${sub ?? ""}". Try: maestro apikey create --email E --team SLUG`);
  const { values } = parseArgs({ args: rest, options: { email: { type: "string" }, team: { type: "string" }, name: { type: "string" }, scopes: { type: "string" } } });
  if (!values.email || !values.team) return fail("apikey create needs --email and --team");
  const scopes = values.scopes?.split(",").map((s) => s.trim()).filter(Boolean);
  const result = (await runDatabaseCommand({
    name: "apikey.create",
    args: { email: values.email, team: values.team, name: values.name, scopes },
  })) as { key: string; name: string; scopes: string[]; email: string; team: string };
  say(`Created API key "${result.name}" for ${result.email} in team "${result.team}" with scopes: ${result.scopes.join(", ")}.`);
  say(result.key);
  say("This key is shown only now and cannot be shown again; store it somewhere safe.");
  return 0;
}

/** Columns padded to their widest cell, chosen columns right-aligned, a rule under the header and above the footer. */
export function textTable(headers: string[], rows: string[][], rightAligned: boolean[], footer?: string[]): string {
  const all = footer ? [...rows, footer] : rows;
  const widths = headers.map((h, i) => Math.max(h.length, ...all.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(headers), rule, ...rows.map(line), ...(footer ? [rule, line(footer)] : [])].join("\n");
}

/** The `maestro usage` table: one line per provider and model, then the total. */
export function usageTable(result: CliUsageResult): string {
  const n = (v: number) => v.toLocaleString("en-US");
  const cost = (v: number) => v.toFixed(6);
  const heading = `Usage of team "${result.team}" from ${result.from} to ${result.to} (UTC):`;
  if (!result.rows.length) return `${heading}\nNo LLM calls in this period.`;
  return `${heading}\n\n${textTable(
    ["Provider", "Model", "Calls", "Input tokens", "Output tokens", "Cost USD"],
    result.rows.map((r) => [r.provider, r.model, n(r.calls), n(r.inputTokens), n(r.outputTokens), cost(r.costUsd)]),
    [false, false, true, true, true, true],
    ["Total", "", n(result.total.calls), n(result.total.inputTokens), n(result.total.outputTokens), cost(result.total.costUsd)],
  )}`;
}

async function usage(args: string[]) {
  const { values } = parseArgs({ args, options: { team: { type: "string" }, since: { type: "string" }, json: { type: "boolean" } } });
  if (!values.team) return fail("usage needs --team");
  const result = (await runDatabaseCommand({ name: "usage.summary", args: { team: values.team, since: values.since ?? "30d" } })) as CliUsageResult;
  say(values.json ? JSON.stringify(result.rows, null, 2) : usageTable(result));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (!command || command === "help" || command === "--help" || command === "-h" || args.includes("--help")) {
      say(HELP);
      return 0;
    }
    await prepareEnvironment();
    switch (command) {
      case "start":
        return await start(args);
      case "worker":
        return await worker(args);
      case "run":
        return await run(args);
      case "workflows":
        return await workflows(args);
      case "migrate":
        return await migrate(args);
      case "user":
        return await user(args);
      case "apikey":
        return await apikey(args);
      case "usage":
        return await usage(args);
      default:
        return fail(`unknown command "${command}". Run "maestro help" for the list.`);
    }
  } catch (error) {
    if (error instanceof EnvError) return fail(error.message);
    if (error instanceof BridgeError || error instanceof ConfigurationError || isDomainError(error)) return fail((error as Error).message);
    if (error instanceof Error && /database|PGlite|ECONNREFUSED/i.test(error.message)) {
      return fail(`could not reach the database: ${error.message}`);
    }
    throw error;
  }
}
