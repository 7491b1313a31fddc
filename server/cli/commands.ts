// The CLI's database commands, run either in the CLI process (PostgreSQL) or inside
// the running server (embedded mode, through the bridge). One implementation for both.
import { z } from "zod";
import { getDatabase } from "../db/client.ts";
import { applyMigrations, migrationStatus } from "../db/migrate.ts";
import { authPolicyFromEnv } from "../auth/policy.ts";
import { createUserFromCli, resetPasswordFromCli } from "../modules/setup/index.ts";
import { emailSchema, nameSchema, passwordSchema, roleSchema, slugSchema } from "../shared/schemas.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { Db } from "../db/client.ts";
import { createApiKey } from "../modules/apikeys/index.ts";
import { usageForCli } from "../modules/usage/index.ts";
import { listWorkflowsForCli, runForCli, startRunForCli } from "./workflow-commands.ts";
import { isScope, scopesForRole, type Role, type Scope } from "../shared/rbac.ts";

export const cliCommandSchema = z.discriminatedUnion("name", [
  z.object({
    name: z.literal("user.create"),
    args: z.object({ email: emailSchema, role: roleSchema, team: slugSchema, name: z.string().max(120).optional(), password: passwordSchema.optional() }),
  }),
  z.object({ name: z.literal("user.reset-password"), args: z.object({ email: emailSchema, password: passwordSchema.optional() }) }),
  z.object({
    name: z.literal("apikey.create"),
    args: z.object({ email: emailSchema, team: slugSchema, name: nameSchema.optional(), scopes: z.array(z.string().max(64)).max(64).optional() }),
  }),
  z.object({ name: z.literal("usage.summary"), args: z.object({ team: slugSchema, since: z.string().max(40).default("30d") }) }),
  z.object({ name: z.literal("workflows.list"), args: z.object({ team: slugSchema.optional() }) }),
  z.object({
    name: z.literal("run.start"),
    args: z.object({
      team: slugSchema.optional(),
      workflow: z.string().min(1).max(64),
      input: z.record(z.string(), z.unknown()).default({}),
      priority: z.number().int().min(-100).max(100).default(0),
    }),
  }),
  z.object({ name: z.literal("run.get"), args: z.object({ team: slugSchema.optional(), runId: z.string().min(1).max(64) }) }),
  z.object({ name: z.literal("migrate.apply"), args: z.object({}).default({}) }),
  z.object({ name: z.literal("migrate.status"), args: z.object({}).default({}) }),
]);

export type CliCommand = z.input<typeof cliCommandSchema>;

/** `maestro apikey create`: a key for a member of a team, with the apikeys service's rules; scopes default to the member's role. */
export async function createApiKeyFromCli(db: Db, input: { email: string; team: string; name?: string; scopes?: string[] }) {
  const team = await db.team.findUnique({ where: { slug: input.team } });
  if (!team) throw new NotFoundError(`Team "${input.team}"`);
  const member = await db.membership.findFirst({ where: { teamId: team.id, user: { email: input.email } }, include: { user: true } });
  if (!member) throw new NotFoundError(`${input.email} as a member of team "${team.slug}"`);
  if (!member.user.isActive) throw new ValidationError(`${input.email} is deactivated; a key of theirs would not work.`);
  const granted = scopesForRole(member.role as Role);
  const unknown = (input.scopes ?? []).filter((s) => !isScope(s));
  if (unknown.length) throw new ValidationError(`Unknown scope(s): ${unknown.join(", ")}. The ${member.role} role grants: ${granted.join(", ")}.`);
  const requested = (input.scopes?.length ? input.scopes : granted) as Scope[];
  const beyond = requested.filter((s) => !granted.includes(s));
  if (beyond.length) {
    throw new ValidationError(`${input.email} is ${member.role} in "${team.slug}", which does not grant: ${beyond.join(", ")}. Ask only for: ${granted.join(", ")}.`);
  }
  const actor = { userId: member.userId, scopes: granted, apiKeyId: null, label: "cli" };
  const name = input.name ?? `cli ${new Date().toISOString().slice(0, 10)}`;
  const { apiKey, key } = await createApiKey(db, actor, { teamId: team.id, name, scopes: requested });
  return { key, name: apiKey.name, prefix: apiKey.prefix, scopes: apiKey.scopes, email: member.user.email, team: team.slug };
}

export async function runCliCommand(raw: CliCommand): Promise<unknown> {
  const parsed = cliCommandSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((i) => `--${i.path.slice(1).join(".")}: ${i.message}`).join("; "));
  }
  const command = parsed.data;
  const database = await getDatabase();
  switch (command.name) {
    case "user.create":
      return createUserFromCli(database.prisma, authPolicyFromEnv(), command.args);
    case "user.reset-password":
      return resetPasswordFromCli(database.prisma, authPolicyFromEnv(), command.args);
    case "apikey.create":
      return createApiKeyFromCli(database.prisma, command.args);
    case "usage.summary":
      return usageForCli(database.prisma, command.args);
    case "workflows.list":
      return listWorkflowsForCli(database.prisma, command.args);
    case "run.start":
      return startRunForCli(database.prisma, command.args);
    case "run.get":
      return runForCli(database.prisma, command.args);
    case "migrate.apply":
      return applyMigrations(database.migrationTarget);
    case "migrate.status":
      return migrationStatus(database.migrationTarget);
  }
}
