// Input schemas shared by the tRPC routers and the forms that call them, so the
// browser shows the same validation messages the server enforces.
import { z } from "zod";
import { ROLES, SCOPES } from "./rbac.ts";

export const idSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "is not a valid id");
export const emailSchema = z
  .email("must be a valid e-mail address")
  .max(254)
  .transform((v) => v.trim().toLowerCase());
export const roleSchema = z.enum(ROLES);
export const scopeSchema = z.enum(SCOPES);
export const slugSchema = z
  .string()
  .min(2, "must be at least 2 characters")
  .max(48, "must be at most 48 characters")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "may use lower-case letters, digits and single dashes");
export const nameSchema = z.string().trim().min(1, "is required").max(120, "must be at most 120 characters");
export const passwordSchema = z.string().min(1, "is required").max(256, "must be at most 256 characters");

export const teamInput = z.object({ teamId: idSchema });

export const paginationInput = z.object({
  cursor: idSchema.optional(),
  limit: z.number().int().min(1).max(100).default(25),
});

export const userListInput = teamInput.extend({
  search: z.string().max(100).optional(),
}).merge(paginationInput);

export const userCreateInput = teamInput.extend({
  email: emailSchema,
  name: nameSchema.optional(),
  role: roleSchema,
  /** When omitted a strong password is generated and returned once. */
  password: passwordSchema.optional(),
});

export const userRoleInput = teamInput.extend({ userId: idSchema, role: roleSchema });
export const userTargetInput = teamInput.extend({ userId: idSchema });

export const teamCreateInput = z.object({ name: nameSchema, slug: slugSchema });
export const teamRenameInput = teamInput.extend({ name: nameSchema });

export const apiKeyCreateInput = teamInput.extend({
  name: nameSchema,
  scopes: z.array(scopeSchema).min(1, "choose at least one scope").max(64),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export const apiKeyTargetInput = teamInput.extend({ apiKeyId: idSchema });

export const auditListInput = teamInput.extend({
  action: z.string().max(64).optional(),
  actor: z.string().max(254).optional(),
  since: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
}).merge(paginationInput);

export const changePasswordInput = z.object({
  currentPassword: passwordSchema,
  newPassword: passwordSchema,
});

export type UserListInput = z.infer<typeof userListInput>;
export type UserCreateInput = z.infer<typeof userCreateInput>;
export type AuditListInput = z.infer<typeof auditListInput>;
export type ApiKeyCreateInput = z.infer<typeof apiKeyCreateInput>;
