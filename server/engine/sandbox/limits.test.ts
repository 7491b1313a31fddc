import { describe, expect, it } from "vitest";
import { DEFAULT_SANDBOX_LIMITS, resolveLimits, SANDBOX_LIMIT_CAPS } from "./limits.ts";

describe("resolveLimits", () => {
  it("fills in the defaults", () => {
    expect(resolveLimits()).toEqual({ timeoutMs: 5_000, memoryMb: 64 });
    expect(resolveLimits({ memoryMb: 8 })).toEqual({ ...DEFAULT_SANDBOX_LIMITS, memoryMb: 8 });
  });

  it("clamps requests above the hard caps", () => {
    expect(resolveLimits({ timeoutMs: 24 * 3_600_000, memoryMb: 4096 })).toEqual(SANDBOX_LIMIT_CAPS);
    expect(SANDBOX_LIMIT_CAPS).toEqual({ timeoutMs: 60_000, memoryMb: 256 });
  });

  it("refuses limits that are not positive numbers", () => {
    expect(() => resolveLimits({ timeoutMs: 0 })).toThrow(RangeError);
    expect(() => resolveLimits({ memoryMb: -1 })).toThrow(RangeError);
    expect(() => resolveLimits({ timeoutMs: Number.NaN })).toThrow(RangeError);
  });
});
