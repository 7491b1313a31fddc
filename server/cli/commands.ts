// The CLI's database commands, run either in the CLI process (PostgreSQL) or inside
// the running server (embedded mode, through the bridge). One implementation for both.
import { z } from "zod";
import { getDatabase } from "../db/client.ts";
import { applyMigrations, migrationStatus } from "../db/migrate.ts";
import { authPolicyFromEnv } from "../auth/policy.ts";
import { createUserFromCli, resetPasswordFromCli } from "../modules/setup/index.ts";
import { emailSchema, passwordSchema, roleSchema, slugSchema } from "../shared/schemas.ts";
import { ValidationError } from "../errors.ts";

export const cliCommandSchema = z.discriminatedUnion("name", [
  z.object({
    name: z.literal("user.create"),
    args: z.object({ email: emailSchema, role: roleSchema, team: slugSchema, name: z.string().max(120).optional(), password: passwordSchema.optional() }),
  }),
  z.object({ name: z.literal("user.reset-password"), args: z.object({ email: emailSchema, password: passwordSchema.optional() }) }),
  z.object({ name: z.literal("migrate.apply"), args: z.object({}).default({}) }),
  z.object({ name: z.literal("migrate.status"), args: z.object({}).default({}) }),
]);

export type CliCommand = z.input<typeof cliCommandSchema>;

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
    case "migrate.apply":
      return applyMigrations(database.migrationTarget);
    case "migrate.status":
      return migrationStatus(database.migrationTarget);
  }
}
