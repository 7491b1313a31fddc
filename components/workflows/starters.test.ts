import { describe, expect, it } from "vitest";
import { validateDefinition } from "@/server/engine/definition/index";
import { STARTERS } from "./starters";

describe("starter workflows", () => {
  it.each(STARTERS.map((s) => [s.slug, s] as const))("%s validates as the server does", (_slug, starter) => {
    const { definition, issues } = validateDefinition(starter.definition);
    expect(issues).toEqual([]);
    expect(definition?.steps.length).toBeGreaterThan(1);
  });

  it("have distinct slugs that the create form accepts", () => {
    const slugs = STARTERS.map((s) => s.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const slug of slugs) expect(slug).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });
});
