import { defineConfig } from "prisma/config";

// The Prisma CLI is used only for `generate`; migrations are applied by our own
// runner (server/db/migrate.ts) so they work offline on both backends.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
