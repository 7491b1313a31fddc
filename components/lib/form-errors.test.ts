import { describe, expect, it } from "vitest";
import { providerCreateInput } from "@/server/shared/providers";
import { parseList, zodFormError } from "./form-errors";

describe("provider form helpers", () => {
  it("splits models on lines and commas, dropping blanks and repeats", () => {
    expect(parseList("gpt-4o-mini, gpt-4o\n\n gpt-4o-mini ,llama3")).toEqual(["gpt-4o-mini", "gpt-4o", "llama3"]);
  });

  it("turns the shared schema's issues into field messages and one summary", () => {
    const parsed = providerCreateInput.safeParse({ teamId: "team_1", name: "", kind: "openai-compatible", baseUrl: "", models: [] });
    expect(parsed.success).toBe(false);
    const error = zodFormError(parsed.error!, { name: "Name", models: "Models", baseUrl: "Base URL" });
    expect(error.fields.name).toBe("Name is required");
    expect(error.fields.models).toBe("Add at least one model");
    expect(error.fields.baseUrl).toMatch(/needs a base URL/);
    expect(error.message).toContain("Name is required.");
  });
});
