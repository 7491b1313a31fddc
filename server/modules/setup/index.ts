export { bootstrapAdmin, createUserFromCli, resetPasswordFromCli, DEFAULT_TEAM_SLUG, DEFAULT_ADMIN_EMAIL } from "./service.ts";
export type { BootstrapResult, CliUserInput } from "./service.ts";
