// Human words for permission scopes, for forms (API key scopes) and refusals (403 page).
import type { Scope } from "./rbac.ts";

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  "team:read": "See the team and its members",
  "workflows:read": "See workflows",
  "workflows:write": "Create and edit workflows",
  "workflows:run": "Start workflow runs",
  "runs:read": "See runs and their logs",
  "runs:cancel": "Cancel runs",
  "agents:read": "See agents",
  "agents:write": "Create and edit agents",
  "tools:read": "See the MCP servers and tools agents can use",
  "tools:admin": "Register MCP servers and their secrets",
  "nodes:read": "See worker nodes, their load and the dead-letter view",
  "nodes:admin": "Drain worker nodes",
  "providers:read": "See model providers (keys stay masked)",
  "providers:write": "Add and change model providers",
  "budgets:read": "See costs and budgets",
  "budgets:write": "Set budgets and alerts",
  "usage:read": "See token usage",
  "gateway:call": "Call models through the gateway (costs money)",
  "models:write": "Edit the model catalog and prices",
  "healing:read": "See health events and healing actions",
  "healing:write": "Change healing rules",
  "apikeys:read": "See your API keys",
  "apikeys:write": "Create and revoke your API keys",
  "apikeys:admin": "See and revoke everyone's API keys in the team",
  "users:admin": "Manage the team's members and their roles",
  "teams:admin": "Create and rename teams",
  "audit:read": "Read the audit log",
  "settings:admin": "Change installation settings",
};

/** "workflows:read" → "workflows", for grouping scopes by resource. */
export function scopeResource(scope: Scope): string {
  return scope.slice(0, scope.indexOf(":"));
}
