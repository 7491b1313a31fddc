// Provider, model-price and gateway-settings shapes shared by the providers service and
// the forms that edit them, so the browser shows the messages the server enforces.
// Keys are write-only: inputs may carry one, DTOs only ever say whether one is set.
import { z } from "zod";
import { CAPABILITIES, PROVIDER_KINDS, STRATEGIES, type Capability, type ProviderKind, type Strategy } from "./llm.ts";
import { idSchema, teamInput } from "./schemas.ts";


export const PROVIDER_KIND_LABELS: Record<ProviderKind, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  "openai-compatible": "OpenAI-compatible (vLLM, Ollama, LM Studio, ...)",
  offline: "Offline (built-in test model)",
};


export const providerKindSchema = z.enum(PROVIDER_KINDS);

export const providerNameSchema = z
  .string()
  .trim()
  .min(1, "is required")
  .max(40, "must be at most 40 characters")
  .regex(
    /^[a-z0-9][a-z0-9._-]*$/,
    'may use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit: models are addressed as "name/model", so no "/", spaces or capitals',
  );

const httpUrlSchema = z
  .string()
  .trim()
  .max(500, "must be at most 500 characters")
  .pipe(z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL, e.g. http://localhost:11434/v1" }));
/** "" and null both mean "no URL" (the vendor's default endpoint). */
const optionalUrlSchema = z.union([z.literal(""), httpUrlSchema]).nullish();

const apiKeySchema = z.string().trim().max(500, "must be at most 500 characters");

export const providerModelsSchema = z
  .array(z.string().trim().min(1, "model ids cannot be empty").max(200, "model ids must be at most 200 characters"))
  .min(1, "add at least one model")
  .max(200, "at most 200 models")
  .transform((models) => [...new Set(models)]);

export const prioritySchema = z.number().int("must be a whole number").min(0, "must be 0-1000").max(1000, "must be 0-1000");
export const providerTimeoutSchema = z
  .number()
  .int("must be a whole number of milliseconds")
  .min(1000, "must be at least 1000 ms")
  .max(600_000, "must be at most 600000 ms (10 minutes)");

/** The rules that involve more than one field; null when the configuration is complete. */
export function providerConfigProblem(config: {
  kind: ProviderKind;
  baseUrl?: string | null;
  hasApiKey: boolean;
}): { field: "baseUrl" | "apiKey"; message: string } | null {
  if (config.kind === "openai-compatible" && !config.baseUrl) {
    return { field: "baseUrl", message: "An OpenAI-compatible provider needs a base URL, e.g. http://localhost:11434/v1." };
  }
  if ((config.kind === "openai" || config.kind === "anthropic") && !config.hasApiKey) {
    return { field: "apiKey", message: `An ${PROVIDER_KIND_LABELS[config.kind]} provider needs an API key.` };
  }
  return null;
}

export const providerCreateInput = teamInput
  .extend({
    name: providerNameSchema,
    kind: providerKindSchema,
    /** Required for openai-compatible; an optional override of the vendor's endpoint otherwise. */
    baseUrl: optionalUrlSchema,
    /** Write-only; "" means none. */
    apiKey: apiKeySchema.optional(),
    models: providerModelsSchema,
    priority: prioritySchema.default(100),
    timeoutMs: providerTimeoutSchema.default(60_000),
    enabled: z.boolean().default(true),
  })
  .superRefine((input, ctx) => {
    const problem = providerConfigProblem({ kind: input.kind, baseUrl: input.baseUrl, hasApiKey: !!input.apiKey });
    if (problem) ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
  });
export type ProviderCreateInput = z.infer<typeof providerCreateInput>;

export const providerUpdateInput = teamInput.extend({
  providerId: idSchema,
  name: providerNameSchema.optional(),
  kind: providerKindSchema.optional(),
  /** undefined keeps the URL; "" or null removes it. */
  baseUrl: optionalUrlSchema,
  /** undefined keeps the stored key; null or "" removes it; a string replaces it. */
  apiKey: apiKeySchema.nullish(),
  models: providerModelsSchema.optional(),
  priority: prioritySchema.optional(),
  timeoutMs: providerTimeoutSchema.optional(),
  enabled: z.boolean().optional(),
});
export type ProviderUpdateInput = z.infer<typeof providerUpdateInput>;

export const providerTargetInput = teamInput.extend({ providerId: idSchema });
export type ProviderTargetInput = z.infer<typeof providerTargetInput>;

/** An unsaved configuration, so the Add form can test before saving. */
export const providerDraftSchema = z.object({
  kind: providerKindSchema,
  baseUrl: optionalUrlSchema,
  /** Omitted with a providerId: the saved provider's key is used. */
  apiKey: apiKeySchema.nullish(),
  timeoutMs: providerTimeoutSchema.optional(),
});
export type ProviderDraft = z.infer<typeof providerDraftSchema>;

export const providerTestInput = teamInput
  .extend({
    /** A saved provider; with a draft too, the draft's fields replace the saved ones for this test only. */
    providerId: idSchema.optional(),
    draft: providerDraftSchema.optional(),
  })
  .refine((input) => input.providerId !== undefined || input.draft !== undefined, {
    message: "Name a saved provider or give a draft configuration to test.",
    path: ["providerId"],
  });
export type ProviderTestInput = z.infer<typeof providerTestInput>;

export interface ProviderDto {
  id: string;
  name: string;
  kind: ProviderKind;
  baseUrl: string | null;
  /** Masked ("••••abcd"), or null when no key is stored. Never the key. */
  apiKey: string | null;
  hasApiKey: boolean;
  models: string[];
  priority: number;
  timeoutMs: number;
  enabled: boolean;
  lastTestedAt: string | null;
  lastTestOk: boolean | null;
  lastTestMessage: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ProviderTestResultDto {
  ok: boolean;
  latencyMs: number;
  /** What the vendor said when not ok. */
  message: string | null;
  /** Models the endpoint reports, when it can list them. */
  models: string[];
}

// ---------------------------------------------------------------------------------
// Models and prices

/** USD per million tokens; at most three decimals so one token costs whole nano-dollars (as in catalog.ts). */
export const pricePerMillionSchema = z
  .number()
  .min(0, "must be 0 or more")
  .max(10_000, "must be at most 10000 USD per million tokens")
  .refine((v) => Math.abs(v * 1000 - Math.round(v * 1000)) < 1e-6, "must have at most three decimals");

export const modelPriceInput = z.object({
  input: pricePerMillionSchema,
  cachedInput: pricePerMillionSchema,
  output: pricePerMillionSchema,
});
export type PriceDto = z.infer<typeof modelPriceInput>;

export const modelIdSchema = z.string().trim().min(1, "is required").max(128, "must be at most 128 characters");
const tokenCountSchema = z.number().int("must be a whole number").min(1, "must be at least 1").max(100_000_000, "must be at most 100000000");

export const modelUpsertInput = teamInput.extend({
  modelId: modelIdSchema,
  /** USD per million tokens. */
  price: modelPriceInput,
  /** The rest default to the current override, else the shipped entry; a new model needs them all. */
  provider: providerKindSchema.optional(),
  contextWindow: tokenCountSchema.optional(),
  maxOutputTokens: tokenCountSchema.optional(),
  capabilities: z
    .array(z.enum(CAPABILITIES))
    .max(CAPABILITIES.length)
    .transform((c) => [...new Set(c)])
    .optional(),
});
export type ModelUpsertInput = z.infer<typeof modelUpsertInput>;

export const modelTargetInput = teamInput.extend({ modelId: modelIdSchema });
export type ModelTargetInput = z.infer<typeof modelTargetInput>;

export type ModelSource = "shipped" | "override" | "custom";

export interface CatalogModelDto {
  id: string;
  provider: ProviderKind;
  contextWindow: number;
  maxOutputTokens: number;
  /** USD per million tokens, as the team pays them. */
  price: PriceDto;
  capabilities: Capability[];
  /** shipped: as Maestro ships it; override: a shipped model with the team's edits; custom: added by the team. */
  source: ModelSource;
  /** The shipped price, when the team overrides it. */
  shippedPrice: PriceDto | null;
  /** Names of the team's enabled providers that offer this model. */
  enabledOn: string[];
  /** When the team's override last changed (null for shipped entries). */
  updatedAt: string | null;
}

// ---------------------------------------------------------------------------------
// Gateway settings

/** "model" or "provider/model". */
export const modelRefSchema = z.string().trim().min(1, "is required").max(241, "must be at most 241 characters");

export const GATEWAY_DEFAULTS = {
  strategy: "primary" as Strategy,
  defaultModel: null as string | null,
  fallback: [] as string[],
  cacheEnabled: true,
  cacheTtlSeconds: 3600,
};

export const gatewaySettingsInput = teamInput.extend({
  strategy: z.enum(STRATEGIES).optional(),
  defaultModel: z.union([z.literal(""), modelRefSchema]).nullish(),
  fallback: z
    .array(modelRefSchema)
    .max(10, "at most 10 fallback models")
    .transform((refs) => [...new Set(refs)])
    .optional(),
  cacheEnabled: z.boolean().optional(),
  cacheTtlSeconds: z
    .number()
    .int("must be a whole number of seconds")
    .min(0, "must be 0 or more")
    .max(7 * 86_400, "must be at most 604800 seconds (7 days)")
    .optional(),
});
export type GatewaySettingsInput = z.infer<typeof gatewaySettingsInput>;

export interface GatewaySettingsDto {
  strategy: Strategy;
  defaultModel: string | null;
  fallback: string[];
  cacheEnabled: boolean;
  cacheTtlSeconds: number;
  /** null while the team uses the defaults. */
  updatedAt: string | null;
}
