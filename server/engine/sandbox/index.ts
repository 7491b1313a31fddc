// The JavaScript sandbox's public face (QuickJS on WebAssembly, in worker threads).
export * from "./sandbox.ts";
