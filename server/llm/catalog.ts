// The model catalog: context windows, capabilities and prices, shipped as data
// (catalog/models.json) so a price change is a data edit, not a code change.
import { z } from "zod";
import shipped from "./catalog/models.json" with { type: "json" };
import type { Usage } from "./types.ts";

import { CAPABILITIES, PROVIDER_KINDS, type Capability } from "../shared/llm.ts";

export { CAPABILITIES, type Capability };

// Prices have at most three decimals per million tokens, so one token costs a whole
// number of nano-dollars: costs add up exactly, with no floating-point drift.
const pricePerMillion = z
  .number()
  .nonnegative()
  .refine((v) => Math.abs(v * 1000 - Math.round(v * 1000)) < 1e-6, "must have at most three decimals");

export const modelPriceSchema = z.object({ input: pricePerMillion, cachedInput: pricePerMillion, output: pricePerMillion });
export type ModelPrice = z.infer<typeof modelPriceSchema>;

export const catalogEntrySchema = z.object({
  id: z.string().min(1).max(128),
  provider: z.enum(PROVIDER_KINDS),
  contextWindow: z.number().int().positive(),
  maxOutputTokens: z.number().int().positive(),
  price: modelPriceSchema,
  capabilities: z.array(z.enum(CAPABILITIES)),
});
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;

export const SHIPPED_CATALOG: readonly CatalogEntry[] = z.array(catalogEntrySchema).parse(shipped.models);

export class ModelCatalog {
  private readonly byId: Map<string, CatalogEntry>;
  constructor(entries: readonly CatalogEntry[] = SHIPPED_CATALOG) {
    this.byId = new Map(entries.map((e) => [e.id, e]));
  }

  /** Exact id, or a dated snapshot of a known model ("gpt-4o-2024-08-06" → "gpt-4o"). */
  find(modelId: string): CatalogEntry | undefined {
    const exact = this.byId.get(modelId);
    if (exact) return exact;
    const base = modelId.replace(/-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$/, "");
    return this.byId.get(base);
  }

  list(): CatalogEntry[] {
    return [...this.byId.values()];
  }

  /** A copy with some entries replaced or added (admins' edits). */
  withOverrides(entries: readonly CatalogEntry[]): ModelCatalog {
    return new ModelCatalog([...this.byId.values(), ...entries]);
  }
}

const NANO_PER_USD = 1e9;

/** Nano-dollars one token costs at a per-million price. */
function nanoPerToken(pricePerMillionUsd: number): number {
  return Math.round(pricePerMillionUsd * 1000);
}

/** What a call cost, in nano-dollars (integer). Cached input tokens are billed at the cached price. */
export function costNanoUsd(usage: Usage, price: ModelPrice): number {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  return (
    (usage.inputTokens - cached) * nanoPerToken(price.input) +
    cached * nanoPerToken(price.cachedInput) +
    usage.outputTokens * nanoPerToken(price.output)
  );
}

export function nanoToUsd(nano: number): number {
  return nano / NANO_PER_USD;
}
