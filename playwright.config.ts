import { defineConfig } from "@playwright/test";

// The built app on a fresh embedded data dir (or on DATABASE_URL/REDIS_URL when the
// environment sets them), started the way users start it.
const PORT = Number(process.env.E2E_PORT ?? 3210);
export const E2E_DATA_DIR = process.env.E2E_DATA_DIR ?? ".e2e-data";

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  projects: [
    { name: "setup", testMatch: /global\.setup\.ts/ },
    { name: "chromium", testMatch: /.*\.spec\.ts/, dependencies: ["setup"], use: { browserName: "chromium" } },
  ],
  webServer: {
    command: `rm -rf ${E2E_DATA_DIR} && node bin/maestro.mjs start`,
    url: `http://127.0.0.1:${PORT}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      PORT: String(PORT),
      MAESTRO_DATA_DIR: E2E_DATA_DIR,
      MAESTRO_ADMIN_EMAIL: "admin@maestro.test",
      MAESTRO_ADMIN_PASSWORD: "Conductor-Baton-E2E-1",
      MAESTRO_PUBLIC_URL: `http://127.0.0.1:${PORT}`,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
