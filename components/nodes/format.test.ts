import { describe, expect, it } from "vitest";
import { formatAgo, formatCpu, formatDuration } from "./format.ts";

describe("node figures", () => {
  it("states durations in the largest unit that fits", () => {
    expect(formatDuration(-5)).toBe("0 s");
    expect(formatDuration(3_400)).toBe("3 s");
    expect(formatDuration(59_999)).toBe("59 s");
    expect(formatDuration(60_000)).toBe("1 min");
    expect(formatDuration(2 * 3_600_000)).toBe("2 h");
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000)).toBe("2 h 5 min");
    expect(formatDuration(3 * 86_400_000)).toBe("3 d");
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000 + 59_000)).toBe("3 d 4 h");
  });

  it("says how long ago a heartbeat was", () => {
    expect(formatAgo(400)).toBe("just now");
    expect(formatAgo(3_000)).toBe("3 s ago");
    expect(formatAgo(125_000)).toBe("2 min ago");
  });

  it("shows CPU as a share of one core", () => {
    expect(formatCpu(0)).toBe("0.0%");
    expect(formatCpu(0.0456)).toBe("4.6%");
    expect(formatCpu(0.42)).toBe("42%");
    expect(formatCpu(1.5)).toBe("150%");
  });
});
