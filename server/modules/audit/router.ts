import { router, scopedProcedure } from "../../api/trpc.ts";
import { auditListInput } from "../../shared/schemas.ts";
import { listAudit } from "./service.ts";

export const auditRouter = router({
  list: scopedProcedure("audit:read").input(auditListInput).query(({ ctx, input }) => listAudit(ctx.db, input)),
});
