// One entry point from a configured provider (a team's row, key decrypted) to the
// adapter that speaks its vendor's protocol.
import type { ConfiguredProvider } from "../gateway-types.ts";
import type { Provider } from "../types.ts";
import { createAnthropicProvider } from "./anthropic.ts";
import { createOfflineProvider } from "./offline.ts";
import { createOpenAIProvider } from "./openai.ts";

export function createProviderClient(config: ConfiguredProvider): Provider {
  const common = {
    id: config.id,
    baseUrl: config.baseUrl || undefined,
    apiKey: config.apiKey || undefined,
    timeoutMs: config.timeoutMs,
  };
  switch (config.kind) {
    case "openai":
    case "openai-compatible":
      return createOpenAIProvider({ ...common, kind: config.kind });
    case "anthropic":
      return createAnthropicProvider({ ...common, kind: "anthropic" });
    case "offline":
      return createOfflineProvider(config.id);
    default: {
      const unknown: never = config.kind;
      throw new Error(`Unknown provider kind "${String(unknown)}" (${config.id}).`);
    }
  }
}
