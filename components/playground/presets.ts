// Labels for the gateway's task presets (server/llm/routing.ts holds their prompts and
// defaults; the browser only needs to name them).
import type { PRESET_NAMES, STRATEGY_NAMES } from "@/server/shared/gateway";

export type PresetName = (typeof PRESET_NAMES)[number];
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export const PRESET_TEXT: Record<PresetName, { label: string; description: string }> = {
  chat: { label: "Chat", description: "General questions; cheapest capable model, temperature 0.7." },
  "code-generation": { label: "Code generation", description: "Writes or changes code; the primary model, temperature 0.2." },
  "issue-analysis": { label: "Issue analysis", description: "Triages an issue or log into a JSON verdict (JSON mode, temperature 0)." },
  "code-review": { label: "Code review", description: "Reviews a change for bugs, security and maintainability." },
  "fix-suggestion": { label: "Fix suggestion", description: "Finds a root cause and proposes a minimal fix." },
  "code-explanation": { label: "Code explanation", description: "Explains code to a newcomer; cheapest capable model." },
};

export const STRATEGY_LABELS: Record<StrategyName, string> = {
  primary: "Primary (default model first)",
  cost: "Cost-optimised (cheapest capable)",
  latency: "Performance (fastest lately)",
  fallback: "Fallback chain only",
};
