// tRPC init and the one procedure ladder: public → authenticated → team-scoped → scoped.
import { initTRPC, TRPCError } from "@trpc/server";
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { ZodError, z } from "zod";
import type { Context } from "./context.ts";
import { TRPC_CODE, isDomainError } from "../errors.ts";
import type { Scope } from "../shared/rbac.ts";
import { can } from "../shared/rbac.ts";
import { teamInput } from "../shared/schemas.ts";
import type { MembershipDto } from "../shared/dto.ts";
import { logger } from "../logger.ts";

export interface ProcedureMeta {
  /** The scope a team procedure requires; documented for the RBAC matrix test. */
  scope?: Scope;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      // A domain error thrown after a stream began bypasses the mapping middleware; map it here too.
      const domain = isDomainError(cause) ? cause : null;
      const code = domain ? (TRPC_CODE[domain.code] as TRPC_ERROR_CODE_KEY) : null;
      return {
        ...shape,
        ...(code ? { code: TRPC_ERROR_CODES_BY_KEY[code] } : {}),
        message: domain ? domain.message : error.code === "INTERNAL_SERVER_ERROR" ? "Something went wrong on our side. It has been logged." : shape.message,
        data: {
          ...shape.data,
          ...(domain && code ? { code, httpStatus: domain.status } : {}),
          stack: undefined,
          domainCode: isDomainError(cause) ? cause.code : null,
          details: isDomainError(cause) ? (cause.details ?? null) : null,
          fieldErrors: cause instanceof ZodError ? z.flattenError(cause).fieldErrors : null,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain errors become typed tRPC errors; anything else is logged and masked. */
const errorMapping = t.middleware(async ({ next, path, type }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (isDomainError(cause)) {
      throw new TRPCError({ code: TRPC_CODE[cause.code] as TRPC_ERROR_CODE_KEY, message: cause.message, cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR") {
      logger.error("trpc.unhandled", { path, type, error: cause ?? result.error });
    }
  }
  return result;
});

export const publicProcedure = t.procedure.use(errorMapping);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.principal) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in or send an API key to continue." });
  return next({ ctx: { ...ctx, principal: ctx.principal } });
});

/** Reads teamId from the input, checks membership, and puts the team and its scopes on ctx. */
export const teamProcedure = authedProcedure.input(teamInput).use(({ ctx, input, next }) => {
  const membership: MembershipDto | undefined = ctx.principal.memberships.find((m) => m.teamId === input.teamId);
  if (!membership) {
    // NOT_FOUND rather than FORBIDDEN: do not confirm that another tenant's team exists.
    throw new TRPCError({ code: "NOT_FOUND", message: "Team was not found." });
  }
  return next({ ctx: { ...ctx, membership, scopes: membership.scopes } });
});

/** A team procedure that also requires one named scope. */
export function scopedProcedure(scope: Scope) {
  return teamProcedure.meta({ scope }).use(({ ctx, next }) => {
    if (!can(ctx.scopes, scope)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the "${scope}" permission in this team.` });
    }
    return next();
  });
}
