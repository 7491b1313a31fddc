import { describe, expect, it } from "vitest";
import { formatBytes, formatMs, formatPricePerMillion, formatUsd } from "./units";

describe("units", () => {
  it("shows as many decimals as an amount needs", () => {
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(1234.5)).toBe("$1,234.50");
    expect(formatUsd(0.0421)).toBe("$0.0421");
    expect(formatUsd(0.0000042)).toBe("$0.000004");
    expect(formatPricePerMillion(0.075)).toBe("$0.075");
  });

  it("formats durations and sizes", () => {
    expect(formatMs(128.4)).toBe("128 ms");
    expect(formatMs(60_000)).toBe("60.0 s");
    expect(formatMs(null)).toBe("—");
    expect(formatBytes(308)).toBe("308 B");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MiB");
  });
});
