import { describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import { issuesByStep, issuesFromError, slugify } from "./issues";

describe("definition issues in the UI", () => {
  it("reads the issues of a refused save and groups them by step", () => {
    const issues = [
      { code: "unknown-step", message: 'Step "b" needs "x"', stepId: "b" },
      { code: "schema", message: "name is required" },
      { code: "cycle", message: "a → b → a", stepId: "b" },
    ];
    const error = TRPCClientError.from({ error: { code: -32600, message: "The workflow definition has 3 issues", data: { code: "BAD_REQUEST", details: { issues } } } });
    const found = issuesFromError(error);
    expect(found).toHaveLength(3);
    const groups = issuesByStep(found!);
    expect([...groups.keys()]).toEqual(["b", ""]);
    expect(groups.get("b")!.map((i) => i.code)).toEqual(["unknown-step", "cycle"]);
    expect(issuesFromError(new Error("network down"))).toBeNull();
  });

  it("makes slugs the server accepts", () => {
    expect(slugify("  Résumé Review — v2! ")).toBe("resume-review-v2");
    expect(slugify("x".repeat(60))).toHaveLength(48);
  });
});
