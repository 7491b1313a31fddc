// Roles map to named `resource:action` scopes here and only here. The server checks
// scopes (never role names), and the UI hides what the same function denies.

export const ROLES = ["admin", "operator", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = [
  "team:read",
  "workflows:read",
  "workflows:write",
  "workflows:run",
  "runs:read",
  "runs:cancel",
  "agents:read",
  "agents:write",
  "tools:read",
  "tools:admin",
  "nodes:read",
  "nodes:admin",
  "providers:read",
  "providers:write",
  "budgets:read",
  "budgets:write",
  "usage:read",
  "gateway:call",
  "models:write",
  "healing:read",
  "healing:write",
  "apikeys:read",
  "apikeys:write",
  "apikeys:admin",
  "users:admin",
  "teams:admin",
  "audit:read",
  "settings:admin",
] as const;
export type Scope = (typeof SCOPES)[number];

const VIEWER: readonly Scope[] = [
  "team:read",
  "workflows:read",
  "runs:read",
  "agents:read",
  "tools:read",
  "nodes:read",
  "providers:read",
  "budgets:read",
  "usage:read",
  "healing:read",
  // Own API keys only, and never with more scopes than the role has.
  "apikeys:read",
  "apikeys:write",
];

const OPERATOR: readonly Scope[] = [
  ...VIEWER,
  "workflows:write",
  "workflows:run",
  "runs:cancel",
  "agents:write",
  "providers:write",
  "budgets:write",
  // Calls cost money, so viewers (who change nothing) cannot make them.
  "gateway:call",
  "healing:write",
];

const ROLE_SCOPES: Record<Role, ReadonlySet<Scope>> = {
  viewer: new Set(VIEWER),
  operator: new Set(OPERATOR),
  admin: new Set(SCOPES),
};

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Admin",
  operator: "Operator",
  viewer: "Viewer",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  admin: "Everything, including users, teams, API keys of others, settings and the audit log.",
  operator: "Runs and manages workflows, providers and budgets of the team.",
  viewer: "Reads everything in the team, changes nothing.",
};

export function scopesForRole(role: Role): Scope[] {
  return [...ROLE_SCOPES[role]];
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Does this role (or explicit scope list, for API keys) grant the scope? */
export function can(grant: Role | readonly Scope[] | null | undefined, scope: Scope): boolean {
  if (!grant) return false;
  if (typeof grant === "string") return ROLE_SCOPES[grant].has(scope);
  return grant.includes(scope);
}

/** Roles ordered by power, for "may this actor hand out that role" decisions. */
export function roleRank(role: Role): number {
  return ROLES.length - ROLES.indexOf(role);
}
