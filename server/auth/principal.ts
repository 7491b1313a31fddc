// Who is calling: a browser session (next-auth JWT cookie) or an API key (Bearer).
// Both resolve to the same Principal, so every check downstream is the same.
import { decode } from "next-auth/jwt";
import type { Db } from "../db/client.ts";
import type { Prisma } from "../db/generated/client.ts";
import type { Role, Scope } from "../shared/rbac.ts";
import { scopesForRole } from "../shared/rbac.ts";
import type { MembershipDto } from "../shared/dto.ts";
import { hashApiKey, looksLikeApiKey } from "./api-keys.ts";
import { validateSession } from "./sessions.ts";
import type { AuthPolicy } from "./policy.ts";

export interface Principal {
  kind: "session" | "apiKey";
  userId: string;
  email: string;
  name: string | null;
  mustChangePassword: boolean;
  sessionId: string | null;
  apiKey: { id: string; name: string; teamId: string; scopes: Scope[] } | null;
  memberships: MembershipDto[];
}

export const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

export function parseCookies(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of header?.split(";") ?? []) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      cookies.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      cookies.set(name, part.slice(eq + 1).trim());
    }
  }
  return cookies;
}

/** next-auth may split a large JWT into `name.0`, `name.1`, ... cookies. */
function sessionTokenFrom(cookies: Map<string, string>): string | undefined {
  for (const name of SESSION_COOKIES) {
    if (cookies.has(name)) return cookies.get(name);
    const chunks: string[] = [];
    for (let i = 0; cookies.has(`${name}.${i}`); i++) chunks.push(cookies.get(`${name}.${i}`)!);
    if (chunks.length) return chunks.join("");
  }
  return undefined;
}

type MembershipRow = Prisma.MembershipGetPayload<{ include: { team: true } }>;

function toMembershipDto(m: MembershipRow): MembershipDto {
  return {
    teamId: m.teamId,
    teamSlug: m.team.slug,
    teamName: m.team.name,
    role: m.role as Role,
    scopes: scopesForRole(m.role as Role),
  };
}

export async function loadMemberships(db: Db, userId: string): Promise<MembershipDto[]> {
  const rows = await db.membership.findMany({ where: { userId }, include: { team: true }, orderBy: { team: { name: "asc" } } });
  return rows.map(toMembershipDto);
}

type UserRow = Awaited<ReturnType<Db["user"]["findUniqueOrThrow"]>>;

function sessionPrincipal(user: UserRow, sessionId: string | null, memberships: MembershipDto[]): Principal {
  return {
    kind: "session",
    userId: user.id,
    email: user.email,
    name: user.name,
    mustChangePassword: user.mustChangePassword,
    sessionId,
    apiKey: null,
    memberships,
  };
}

export async function principalForUser(db: Db, userId: string, sessionId: string | null): Promise<Principal | null> {
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user || !user.isActive) return null;
  return sessionPrincipal(user, sessionId, await loadMemberships(db, user.id));
}

// lastUsedAt is informational; one write a minute per key is plenty.
const API_KEY_TOUCH_MS = 60_000;

export async function principalFromApiKey(db: Db, token: string, now = new Date()): Promise<Principal | null> {
  if (!looksLikeApiKey(token)) return null;
  const key = await db.apiKey.findUnique({ where: { hash: hashApiKey(token) }, include: { user: true } });
  if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now) || !key.user.isActive) return null;
  const row = await db.membership.findUnique({ where: { userId_teamId: { userId: key.userId, teamId: key.teamId } }, include: { team: true } });
  if (!row) return null; // The owner left the team: the key dies with the membership.
  const membership = toMembershipDto(row);
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > API_KEY_TOUCH_MS) {
    await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: now } });
  }
  // A key never holds more than its owner's current role allows.
  const scopes = (key.scopes as Scope[]).filter((s) => membership.scopes.includes(s));
  return {
    kind: "apiKey",
    userId: key.userId,
    email: key.user.email,
    name: key.user.name,
    mustChangePassword: false,
    sessionId: null,
    apiKey: { id: key.id, name: key.name, teamId: key.teamId, scopes },
    memberships: [{ ...membership, scopes }],
  };
}

export interface SessionTokenClaims {
  uid?: string;
  sid?: string;
}

export async function principalFromSessionToken(
  db: Db,
  policy: AuthPolicy,
  secret: string,
  token: string,
): Promise<Principal | null> {
  let claims: SessionTokenClaims | null;
  try {
    claims = (await decode({ token, secret })) as SessionTokenClaims | null;
  } catch {
    return null;
  }
  if (!claims?.sid || !claims.uid) return null;
  const check = await validateSession(db, policy, claims.sid);
  if (!check.ok || check.userId !== claims.uid) return null;
  return sessionPrincipal(check.user, check.sessionId, await loadMemberships(db, check.userId));
}

/** Resolves the caller from request headers: Bearer API key first, then the session cookie. */
export async function principalFromHeaders(
  db: Db,
  policy: AuthPolicy,
  secret: string,
  headers: { authorization?: string | null; cookie?: string | null },
): Promise<Principal | null> {
  const bearer = headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) return principalFromApiKey(db, bearer);
  const token = sessionTokenFrom(parseCookies(headers.cookie));
  return token ? principalFromSessionToken(db, policy, secret, token) : null;
}
