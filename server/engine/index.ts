// The workflow engine's public face for modules, entries and the CLI.
export { Engine, type StartRunRequest } from "./engine.ts";
export { engine, engineRuntime, startEngine, stopEngine, type EngineRuntime, type StartEngineOptions } from "./runtime.ts";
export type { Decider } from "./types.ts";
