import type { BadgeTone } from "@/components/ui/badge";
import type { ProviderDto } from "@/server/shared/providers";

export type ProviderKind = ProviderDto["kind"];

export const KIND_OPTIONS: { kind: ProviderKind; label: string; short: string; tone: BadgeTone; defaultName: string; hint: string }[] = [
  { kind: "openai", label: "OpenAI", short: "OpenAI", tone: "accent", defaultName: "openai", hint: "api.openai.com with your API key." },
  { kind: "anthropic", label: "Anthropic", short: "Anthropic", tone: "warning", defaultName: "anthropic", hint: "api.anthropic.com with your API key." },
  {
    kind: "openai-compatible",
    label: "OpenAI-compatible (Ollama, vLLM, LM Studio…)",
    short: "OpenAI-compatible",
    tone: "success",
    defaultName: "local",
    hint: "Any server that speaks OpenAI's Chat Completions API; give its base URL (ending in /v1).",
  },
  {
    kind: "offline",
    label: "Offline (built-in, no network)",
    short: "Offline",
    tone: "neutral",
    defaultName: "offline",
    hint: "Maestro's built-in test model: answers instantly and never leaves this machine; priced from the catalog like any model, so budgets can be tried without a vendor.",
  },
];

export function kindInfo(kind: ProviderKind) {
  return KIND_OPTIONS.find((k) => k.kind === kind) ?? KIND_OPTIONS[2]!;
}

/** The endpoint a vendor kind uses when the base URL is left empty. */
export const DEFAULT_BASE_URLS: Partial<Record<ProviderKind, string>> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com",
};
