import { test as setup, expect } from "@playwright/test";
import { maestro, PEOPLE } from "./fixtures";

// The operator and viewer are created with the CLI while the server runs, which also
// proves the CLI reaches the embedded database through the running server.
setup("create an operator and a viewer with the maestro CLI", () => {
  for (const role of ["operator", "viewer"] as const) {
    const out = maestro(["user", "create", "--email", PEOPLE[role].email, "--role", role, "--team", "default", "--password", PEOPLE[role].password]);
    expect(out).toContain(`Created ${PEOPLE[role].email} as ${role}`);
  }
});
