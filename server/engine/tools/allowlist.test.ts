import { describe, expect, it } from "vitest";
import { createAllowlist, refusalMessage } from "./allowlist.ts";

const allows = (patterns: string[], url: string) => createAllowlist(patterns).allows(new URL(url));

describe("createAllowlist", () => {
  it("`*` allows any http or https host, and never another scheme", () => {
    expect(allows(["*"], "https://anything.example/x")).toBe(true);
    expect(allows(["*"], "http://10.0.0.1:9000/")).toBe(true);
    expect(allows(["*"], "ftp://files.example/")).toBe(false);
    expect(allows(["*"], "file:///etc/passwd")).toBe(false);
  });

  it("a bare host matches that host on any port, without case", () => {
    expect(allows(["api.example.com"], "https://API.example.com/v1")).toBe(true);
    expect(allows(["api.example.com"], "http://api.example.com:8080/")).toBe(true);
    expect(allows(["api.example.com"], "https://other.example.com/")).toBe(false);
    expect(allows(["api.example.com"], "https://evil-api.example.com/")).toBe(false);
  });

  it("`*.host` matches its subdomains only", () => {
    expect(allows(["*.example.com"], "https://a.example.com/")).toBe(true);
    expect(allows(["*.example.com"], "https://a.b.example.com/")).toBe(true);
    expect(allows(["*.example.com"], "https://example.com/")).toBe(false);
    expect(allows(["*.example.com"], "https://notexample.com/")).toBe(false);
  });

  it("`host:port` needs that port, default ports included", () => {
    expect(allows(["localhost:8080"], "http://localhost:8080/x")).toBe(true);
    expect(allows(["localhost:8080"], "http://localhost:8081/x")).toBe(false);
    expect(allows(["example.com:443"], "https://example.com/")).toBe(true);
    expect(allows(["[::1]:9000"], "http://[::1]:9000/")).toBe(true);
  });

  it("a URL pattern needs its scheme, host, port and path prefix", () => {
    const patterns = ["http://localhost:8080", "https://api.example.com/v1"];
    expect(allows(patterns, "http://localhost:8080/anything")).toBe(true);
    expect(allows(patterns, "https://localhost:8080/")).toBe(false);
    expect(allows(patterns, "http://localhost/")).toBe(false);
    expect(allows(patterns, "https://api.example.com/v1/users")).toBe(true);
    expect(allows(patterns, "https://api.example.com/v1")).toBe(true);
    expect(allows(patterns, "https://api.example.com/v10")).toBe(false);
    expect(allows(patterns, "https://api.example.com/admin")).toBe(false);
  });

  it("an empty list allows nothing and says so", () => {
    const list = createAllowlist(["", "  "]);
    expect(list.allows(new URL("https://example.com/"))).toBe(false);
    expect(list.describe()).toMatch(/empty/);
  });

  it("the refusal names the host and the setting to change", () => {
    const list = createAllowlist(["api.example.com", "*.internal"]);
    const message = refusalMessage(list, new URL("https://evil.test/steal?token=1"));
    expect(message).toContain("evil.test");
    expect(message).toContain("MAESTRO_HTTP_ALLOWLIST");
    expect(message).toContain("api.example.com, *.internal");
    expect(refusalMessage(list, new URL("ftp://evil.test/"))).toMatch(/Only http and https/);
  });
});
