// Providers, model prices and gateway settings: members read, operators and admins
// change providers and settings, only admins change prices (models:write).
import type { Fixtures } from "../fixtures.ts";
import { adminsOnly, operatorsUp, teamMembers, unique, type Case } from "../rbac.ts";

/** A provider of acme's own for each persona to change or remove (the offline kind needs no key or URL). */
async function newProvider(f: Fixtures) {
  const row = await f.db.llmProvider.create({ data: { teamId: f.team.id, name: unique("rbac-"), kind: "offline", models: ["maestro-offline"] } });
  return row.id;
}

async function newOverride(f: Fixtures) {
  const modelId = unique("rbac-model-");
  await f.db.modelPrice.create({
    data: {
      teamId: f.team.id,
      modelId,
      provider: "openai-compatible",
      contextWindow: 8192,
      maxOutputTokens: 1024,
      inputNanoPerToken: 100,
      cachedInputNanoPerToken: 10,
      outputNanoPerToken: 200,
      capabilities: [],
    },
  });
  return modelId;
}

export const PROVIDERS_CASES: Record<string, Case> = {
  "providers.list": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "providers.create": {
    expect: operatorsUp,
    input: (f) => ({ teamId: f.team.id, name: unique("rbac-new-"), kind: "offline", models: ["maestro-offline"] }),
  },
  "providers.update": { expect: operatorsUp, input: async (f) => ({ teamId: f.team.id, providerId: await newProvider(f), priority: 5 }) },
  "providers.remove": { expect: operatorsUp, input: async (f) => ({ teamId: f.team.id, providerId: await newProvider(f) }) },
  "providers.test": { expect: operatorsUp, input: (f) => ({ teamId: f.team.id, draft: { kind: "offline" } }) },
  "providers.settings": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "providers.updateSettings": { expect: operatorsUp, input: (f) => ({ teamId: f.team.id, cacheTtlSeconds: 600 }) },
  "models.list": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "models.upsert": {
    expect: adminsOnly,
    input: (f) => ({ teamId: f.team.id, modelId: unique("rbac-custom-"), provider: "openai-compatible", contextWindow: 8192, maxOutputTokens: 1024, capabilities: [], price: { input: 0.1, cachedInput: 0.01, output: 0.2 } }),
  },
  "models.reset": { expect: adminsOnly, input: async (f) => ({ teamId: f.team.id, modelId: await newOverride(f) }) },
};
