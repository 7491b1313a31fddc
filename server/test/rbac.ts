// Vocabulary of the RBAC matrix (server/api/rbac-matrix.test.ts). Feature areas list
// their procedures in server/test/rbac-cases/<area>.ts with the outcome each persona
// must get; the matrix fails when any procedure of the router is missing.
import type { Fixtures, Persona } from "./fixtures.ts";

export type Outcome = "OK" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND";
export type Expectation = Record<Persona, Outcome>;

export const everyone: Expectation = { anonymous: "UNAUTHORIZED", viewer: "OK", operator: "OK", admin: "OK", outsider: "OK" };
export const adminsOnly: Expectation = { anonymous: "UNAUTHORIZED", viewer: "FORBIDDEN", operator: "FORBIDDEN", admin: "OK", outsider: "NOT_FOUND" };
export const teamMembers: Expectation = { anonymous: "UNAUTHORIZED", viewer: "OK", operator: "OK", admin: "OK", outsider: "NOT_FOUND" };
/** Operators and admins of the team (writes that are not admin-only). */
export const operatorsUp: Expectation = { anonymous: "UNAUTHORIZED", viewer: "FORBIDDEN", operator: "OK", admin: "OK", outsider: "NOT_FOUND" };
/** Not bound to one team: any admin of any team may call it. */
export const anyTeamAdmin: Expectation = { anonymous: "UNAUTHORIZED", viewer: "FORBIDDEN", operator: "FORBIDDEN", admin: "OK", outsider: "OK" };

export interface Case {
  expect: Expectation;
  /** Builds a valid input; called afresh for every persona so mutations do not interfere. */
  input: (f: Fixtures, persona: Persona) => Promise<unknown> | unknown;
  /** Sign-in-only actions that refuse API keys are covered elsewhere. */
  sessionOnly?: boolean;
  /** Subscriptions: the matrix reads the first value to trigger the checks. */
  subscription?: boolean;
}

/** Expected outcome overrides where the valid input is deliberately refused by a rule, not by RBAC. */
export type RuleRefusals = Record<string, Partial<Record<Persona, string>>>;

let counter = 0;
export const unique = (prefix: string) => `${prefix}${++counter}`;
