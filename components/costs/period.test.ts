import { describe, expect, it } from "vitest";
import { customRange, lastDay, presetRange } from "./period";

describe("costs period", () => {
  it("ends a preset at the next whole minute and picks hourly bars up to a week", () => {
    const now = Date.parse("2026-11-23T15:08:20Z");
    const day = presetRange("24h", now);
    expect(day.to).toBe("2026-11-23T15:09:00.000Z");
    expect(day.from).toBe("2026-11-22T15:09:00.000Z");
    expect(day.bucket).toBe("hour");
    expect(presetRange("7d", now).bucket).toBe("hour");
    expect(presetRange("30d", now).bucket).toBe("day");
    // Within the same minute the range (and so every query key) is the same.
    expect(presetRange("30d", now + 20_000)).toEqual(presetRange("30d", now));
  });

  it("includes both ends of a custom range and rejects bad ones with a sentence", () => {
    const range = customRange("2026-11-01", "2026-11-07");
    expect(range).toMatchObject({ from: "2026-11-01T00:00:00.000Z", to: "2026-11-08T00:00:00.000Z", bucket: "hour" });
    expect(lastDay((range as { to: string }).to)).toBe("2026-11-07");
    expect(customRange("2026-11-08", "2026-11-07")).toMatch(/on or before/);
    expect(customRange("", "2026-11-07")).toMatch(/both dates/);
    expect(customRange("2025-01-01", "2026-11-07")).toMatch(/400 days/);
  });
});
