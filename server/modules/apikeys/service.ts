import type { Db } from "../../db/client.ts";
import { forgetApiKeyPrincipals } from "../../auth/api-key-cache.ts";
import type { Prisma } from "../../db/generated/client.ts";
import { ForbiddenError, NotFoundError } from "../../errors.ts";
import { generateApiKey } from "../../auth/api-keys.ts";
import { recordAudit, type AuditActor } from "../audit/index.ts";
import type { Scope } from "../../shared/rbac.ts";
import { can } from "../../shared/rbac.ts";
import type { ApiKeyDto } from "../../shared/dto.ts";
import type { ApiKeyCreateInput } from "../../shared/schemas.ts";

type ApiKeyRow = Prisma.ApiKeyGetPayload<{ include: { user: { select: { id: true; email: true } } } }>;

function toApiKeyDto(k: ApiKeyRow): ApiKeyDto {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes as Scope[],
    teamId: k.teamId,
    owner: { id: k.user.id, email: k.user.email },
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

export interface KeyActor extends AuditActor {
  userId: string;
  /** The caller's scopes in the team. */
  scopes: readonly Scope[];
  /** Set when the caller is itself an API key. */
  apiKeyId: string | null;
}

const withOwner = { user: { select: { id: true, email: true } } } as const;

/** Own keys; a caller with apikeys:admin sees every key of the team. */
export async function listApiKeys(db: Db, actor: KeyActor, teamId: string) {
  const keys = await db.apiKey.findMany({
    where: { teamId, ...(can(actor.scopes, "apikeys:admin") ? {} : { userId: actor.userId }) },
    include: withOwner,
    orderBy: { createdAt: "desc" },
  });
  return keys.map(toApiKeyDto);
}

/** Creates a key with at most the caller's own scopes. The key is returned here once and never again. */
export async function createApiKey(db: Db, actor: KeyActor, input: ApiKeyCreateInput) {
  if (actor.apiKeyId) throw new ForbiddenError("API keys cannot create API keys; sign in to create one.");
  const beyond = input.scopes.filter((s) => !can(actor.scopes, s));
  if (beyond.length) {
    throw new ForbiddenError(`A key cannot have scopes you do not have: ${beyond.join(", ")}.`, { scopes: beyond });
  }
  const { key, prefix, hash } = generateApiKey();
  const row = await db.apiKey.create({
    data: {
      teamId: input.teamId,
      userId: actor.userId,
      name: input.name,
      prefix,
      hash,
      scopes: [...new Set(input.scopes)],
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
    },
    include: withOwner,
  });
  await recordAudit(db, actor, {
    action: "apikey.create",
    teamId: input.teamId,
    targetType: "apikey",
    targetId: row.id,
    after: { name: row.name, prefix, scopes: row.scopes, expiresAt: row.expiresAt },
  });
  return { apiKey: toApiKeyDto(row), key };
}

export async function revokeApiKey(db: Db, actor: KeyActor, input: { teamId: string; apiKeyId: string }) {
  const key = await db.apiKey.findFirst({ where: { id: input.apiKeyId, teamId: input.teamId }, include: withOwner });
  if (!key || (key.userId !== actor.userId && !can(actor.scopes, "apikeys:admin"))) throw new NotFoundError("That API key");
  if (key.revokedAt) return toApiKeyDto(key);
  const revoked = await db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() }, include: withOwner });
  forgetApiKeyPrincipals();
  await recordAudit(db, actor, {
    action: "apikey.revoke",
    teamId: input.teamId,
    targetType: "apikey",
    targetId: key.id,
    before: { name: key.name, prefix: key.prefix },
  });
  return toApiKeyDto(revoked);
}
