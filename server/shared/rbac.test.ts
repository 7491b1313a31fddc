import { describe, expect, it } from "vitest";
import { ROLES, SCOPES, can, isRole, isScope, roleRank, scopesForRole } from "./rbac.ts";

describe("role → scope mapping", () => {
  it("gives admins every scope", () => {
    expect(new Set(scopesForRole("admin"))).toEqual(new Set(SCOPES));
  });

  it("keeps viewers read-only apart from their own API keys", () => {
    const writes = scopesForRole("viewer").filter((s) => !s.endsWith(":read"));
    expect(writes).toEqual(["apikeys:write"]);
  });

  it("lets operators run and manage workflows, providers and budgets but not administer people", () => {
    for (const scope of ["workflows:run", "workflows:write", "providers:write", "budgets:write", "runs:cancel"] as const) {
      expect(can("operator", scope)).toBe(true);
    }
    for (const scope of ["users:admin", "teams:admin", "audit:read", "apikeys:admin", "settings:admin"] as const) {
      expect(can("operator", scope)).toBe(false);
    }
  });

  it("nests roles: every viewer scope is an operator scope, every operator scope an admin scope", () => {
    for (const s of scopesForRole("viewer")) expect(can("operator", s)).toBe(true);
    for (const s of scopesForRole("operator")) expect(can("admin", s)).toBe(true);
  });

  it("ranks roles by power", () => {
    expect(roleRank("admin")).toBeGreaterThan(roleRank("operator"));
    expect(roleRank("operator")).toBeGreaterThan(roleRank("viewer"));
  });

  it("checks explicit scope lists (API keys) and denies nothing-granted callers", () => {
    expect(can(["workflows:read"], "workflows:read")).toBe(true);
    expect(can(["workflows:read"], "workflows:run")).toBe(false);
    expect(can(null, "team:read")).toBe(false);
    expect(can(undefined, "team:read")).toBe(false);
  });

  it("recognises only known roles and scopes", () => {
    expect(ROLES.every(isRole)).toBe(true);
    expect(isRole("owner")).toBe(false);
    expect(SCOPES.every(isScope)).toBe(true);
    expect(isScope("users:*")).toBe(false);
  });

  it("names every scope resource:action", () => {
    for (const s of SCOPES) expect(s).toMatch(/^[a-z]+:[a-z]+$/);
  });
});
