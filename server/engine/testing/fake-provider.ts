// The provider configuration that points the Gateway at the fake OpenAI server.
import type { ConfiguredProvider } from "../../llm/gateway-types.ts";

export function fakeOpenAIProvider(baseUrl: string): ConfiguredProvider {
  return {
    id: "prov-openai",
    name: "openai",
    kind: "openai",
    baseUrl,
    apiKey: "not-a-real-openai-key",
    models: ["gpt-4o-mini"],
    priority: 1,
    timeoutMs: 5_000,
    version: "1",
  };
}
