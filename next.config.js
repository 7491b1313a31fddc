/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native, WASM or process-wide packages are loaded from node_modules at run time
  // instead of being bundled, so the custom server and Next share one instance.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "@prisma/adapter-pg",
    "@prisma/client",
    "pg",
    "@node-rs/argon2",
    "ioredis",
    "socket.io",
    "@socket.io/redis-adapter",
    "bullmq",
    "@modelcontextprotocol/sdk",
    "quickjs-emscripten-core",
    "@jitl/quickjs-wasmfile-release-sync",
  ],
  typescript: { ignoreBuildErrors: false },
  // `npm run dev` opened at 127.0.0.1 as well as localhost.
  allowedDevOrigins: ["127.0.0.1"],
  // forbidden() renders app/**/forbidden.tsx with HTTP 403 (admin pages for non-admins).
  experimental: { authInterrupts: true },
};

export default nextConfig;
