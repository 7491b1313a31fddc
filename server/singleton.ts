// Next bundles its own copy of server modules, while the custom HTTP entry loads
// them through tsx: two module instances in one process. Anything that must exist
// once per process (database, socket.io, Redis) is kept on globalThis under a key.
const registry = globalThis as unknown as Record<symbol, unknown>;

export function processSingleton<T>(name: string, create: () => T): T {
  const key = Symbol.for(`maestro.${name}`);
  if (!(key in registry)) registry[key] = create();
  return registry[key] as T;
}

export function setProcessSingleton<T>(name: string, value: T | undefined): void {
  const key = Symbol.for(`maestro.${name}`);
  if (value === undefined) delete registry[key];
  else registry[key] = value;
}

export function peekProcessSingleton<T>(name: string): T | undefined {
  return registry[Symbol.for(`maestro.${name}`)] as T | undefined;
}
