export { recordAudit, listAudit, toAuditDto } from "./service.ts";
export type { AuditActor, AuditEvent } from "./service.ts";
export { auditRouter } from "./router.ts";
