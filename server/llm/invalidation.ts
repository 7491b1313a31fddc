// In-process notice that a team's gateway configuration (providers, prices, routing,
// budgets) changed, so cached copies are dropped at once. Other processes see the
// change when their short cache TTL runs out.
import { processSingleton } from "../singleton.ts";

export type ConfigArea = "providers" | "catalog" | "settings" | "budgets";
type Listener = (teamId: string, area: ConfigArea) => void;

const listeners = () => processSingleton("gatewayConfigListeners", () => new Set<Listener>());

export function onTeamConfigChanged(listener: Listener): () => void {
  listeners().add(listener);
  return () => listeners().delete(listener);
}

export function teamConfigChanged(teamId: string, area: ConfigArea): void {
  for (const listener of listeners()) listener(teamId, area);
}
