// The gateway's fixed vocabularies, in one place for the server, the API schemas and the
// forms: provider kinds, routing strategies, task presets and model capabilities.

export const PROVIDER_KINDS = ["openai", "anthropic", "openai-compatible", "offline"] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export const STRATEGIES = ["primary", "cost", "latency", "fallback"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const TASK_PRESETS = ["chat", "code-generation", "issue-analysis", "code-review", "fix-suggestion", "code-explanation"] as const;
export type TaskPreset = (typeof TASK_PRESETS)[number];

export const CAPABILITIES = ["tools", "json", "vision", "streaming", "reasoning"] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** How the UI names and explains each strategy. */
export const STRATEGY_TEXT: Record<Strategy, { label: string; description: string }> = {
  primary: { label: "Primary", description: "The default model (else the preferred provider by priority), then the fallback chain." },
  cost: { label: "Cost-optimised", description: "The cheapest capable model, by the price catalog; the next cheapest on failure." },
  latency: { label: "Performance", description: "The target that has answered fastest lately (new targets are tried first to learn)." },
  fallback: { label: "Fallback", description: "Only the fallback chain, in its order: the first that answers wins." },
};

/** How the UI names and explains each task preset (server/llm/routing.ts holds their prompts and parameters). */
export const TASK_PRESET_TEXT: Record<TaskPreset, { label: string; description: string }> = {
  chat: { label: "Chat", description: "General questions; cheapest capable model, temperature 0.7." },
  "code-generation": { label: "Code generation", description: "Writes or changes code; the primary model, temperature 0.2." },
  "issue-analysis": { label: "Issue analysis", description: "Triages an issue or log into a JSON verdict (JSON mode, temperature 0)." },
  "code-review": { label: "Code review", description: "Reviews a change for bugs, security and maintainability." },
  "fix-suggestion": { label: "Fix suggestion", description: "Finds a root cause and proposes a minimal fix." },
  "code-explanation": { label: "Code explanation", description: "Explains code to a newcomer; cheapest capable model." },
};
