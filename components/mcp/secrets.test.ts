import { describe, expect, it } from "vitest";
import { emptySecretRow, keptStoredSecrets, parseArgs, secretChanges, secretRowsProblem, storedSecretRows, type SecretRow } from "./secrets.ts";

const row = (fields: Partial<SecretRow>): SecretRow => ({ ...emptySecretRow(), ...fields });

describe("MCP secret rows", () => {
  it("sends nothing when the stored secrets are left alone", () => {
    const rows = [...storedSecretRows(["API_TOKEN", "Authorization"]), emptySecretRow()];
    expect(secretChanges(rows)).toBeUndefined();
    expect(keptStoredSecrets(rows)).toEqual(["API_TOKEN", "Authorization"]);
  });

  it("replaces, removes and adds by name", () => {
    const [token, auth] = storedSecretRows(["API_TOKEN", "Authorization"]);
    const rows = [
      { ...token!, value: "new-token" },
      { ...auth!, removed: true },
      row({ name: "  X_TEAM ", value: "acme" }),
      row({ name: "", value: "" }),
    ];
    expect(secretChanges(rows)).toEqual({ API_TOKEN: "new-token", Authorization: null, X_TEAM: "acme" });
    expect(keptStoredSecrets(rows)).toEqual([]);
  });

  it("keeps a new row with an empty value so the server names the problem", () => {
    expect(secretChanges([row({ name: "TOKEN", value: "" })])).toEqual({ TOKEN: "" });
  });

  it("finds names given twice and values without a name", () => {
    const [stored] = storedSecretRows(["TOKEN"]);
    expect(secretRowsProblem([stored!, row({ name: "TOKEN", value: "x" })])).toBe('The secret "TOKEN" is listed twice.');
    expect(secretRowsProblem([{ ...stored!, removed: true }, row({ name: "TOKEN", value: "x" })])).toBeNull();
    expect(secretRowsProblem([row({ name: " ", value: "orphan" })])).toBe("Give each secret a name.");
    expect(secretRowsProblem([row({})])).toBeNull();
  });

  it("reads arguments one per line", () => {
    expect(parseArgs("-y\r\n@modelcontextprotocol/server-filesystem\n\n  /data  \n")).toEqual(["-y", "@modelcontextprotocol/server-filesystem", "/data"]);
  });
});
