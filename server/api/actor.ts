import type { Principal } from "../auth/principal.ts";
import type { AuditActor } from "../modules/audit/index.ts";

/** Who did it, for the audit log. */
export function auditActor(ctx: { principal: Principal; ip: string | null }): AuditActor & { userId: string } {
  return {
    userId: ctx.principal.userId,
    apiKeyId: ctx.principal.apiKey?.id ?? null,
    label: ctx.principal.apiKey ? `${ctx.principal.email} (key ${ctx.principal.apiKey.name})` : ctx.principal.email,
    ip: ctx.ip,
  };
}
