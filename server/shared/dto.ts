// Shapes the API returns. Dates travel as ISO strings so they survive JSON unchanged.
import type { Role, Scope } from "./rbac.ts";
export type { AuditListInput } from "./schemas.ts";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface MembershipDto {
  teamId: string;
  teamSlug: string;
  teamName: string;
  role: Role;
  scopes: Scope[];
}

export interface MeDto {
  id: string;
  email: string;
  name: string | null;
  mustChangePassword: boolean;
  memberships: MembershipDto[];
  /** Set when the caller is an API key rather than a browser session. */
  apiKey: { id: string; name: string; teamId: string; scopes: Scope[] } | null;
}

export interface TeamMemberDto {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  isActive: boolean;
  lastLoginAt: string | null;
  createdAt: string;
  /** Cursor for the next page of the member list. */
  membershipId: string;
}

export interface TeamDto {
  id: string;
  slug: string;
  name: string;
  memberCount: number;
  createdAt: string;
}

export interface ApiKeyDto {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  teamId: string;
  owner: { id: string; email: string };
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface AuditEntryDto {
  id: string;
  createdAt: string;
  actorUserId: string | null;
  actorLabel: string | null;
  teamId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  before: JsonValue | null;
  after: JsonValue | null;
  ip: string | null;
}

export interface HealthDto {
  status: "ok" | "degraded" | "down";
  version: string;
  db: "pglite" | "postgresql";
  dbReachable: boolean;
  queue: "in-process" | "bullmq";
  cache: "memory" | "redis";
  realtime: "single-node" | "redis";
  redisReachable: boolean | null;
  uptimeSeconds: number;
}
