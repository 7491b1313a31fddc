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
    "argon2",
    "ioredis",
    "socket.io",
    "@socket.io/redis-adapter",
  ],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
