import { describe, expect, it } from "vitest";
import { EnvError, envSchema, parseEnv } from "./env.ts";

describe("configuration", () => {
  it("has working defaults for the embedded mode", () => {
    const e = parseEnv({});
    expect(e.PORT).toBe(3000);
    expect(e.MAESTRO_DATA_DIR).toBe("./data");
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.REDIS_URL).toBeUndefined();
  });

  it("treats empty variables as unset", () => {
    expect(parseEnv({ DATABASE_URL: "", REDIS_URL: " " }).DATABASE_URL).toBeUndefined();
  });

  it("names the variable and what it expects when a value is wrong", () => {
    const attempt = () => parseEnv({ PORT: "eighty", DATABASE_URL: "mysql://x", MAESTRO_SECRET: "short" });
    expect(attempt).toThrow(EnvError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/PORT: .*number/i);
      expect(message).toMatch(/DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL \(got "mysql:\/\/x"\)/);
      expect(message).toMatch(/MAESTRO_SECRET: must be at least 32 characters/);
    }
  });

  it("never echoes a secret, and masks a password inside a URL", () => {
    expect(() => parseEnv({ MAESTRO_SECRET: "hunter2" })).toThrow(/MAESTRO_SECRET: must be at least 32 characters \(got 7 characters\)/);
    expect(() => parseEnv({ DATABASE_URL: "mysql://app:s3cret@db/x" })).toThrow(/got "mysql:\/\/app:\*\*\*@db\/x"/);
    expect(() => parseEnv({ DATABASE_URL: "mysql://app:s3cret@db/x" })).not.toThrow(/s3cret/);
  });

  it("requires OAuth settings in pairs", () => {
    expect(() => parseEnv({ GITHUB_CLIENT_ID: "abc" })).toThrow(/GITHUB_CLIENT_SECRET: must be set together with GITHUB_CLIENT_ID/);
    expect(() => parseEnv({ OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "b" })).toThrow(/OIDC_ISSUER/);
  });
});

describe("documentation of the configuration", () => {
  it("lists every variable in the README table and in .env.example", async () => {
    const { readFileSync } = await import("node:fs");
    const { REPO_ROOT } = await import("./paths.ts");
    const readme = readFileSync(`${REPO_ROOT}/README.md`, "utf8");
    const example = readFileSync(`${REPO_ROOT}/.env.example`, "utf8");
    const names = Object.keys(envSchema.shape).filter((name) => name !== "NODE_ENV");
    expect(names.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
    expect(names.filter((name) => !example.includes(`${name}=`))).toEqual([]);
  });
});
