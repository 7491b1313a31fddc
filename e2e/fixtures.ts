import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { E2E_DATA_DIR } from "../playwright.config";

export const PEOPLE = {
  admin: { email: "admin@maestro.test", password: "Conductor-Baton-E2E-1" },
  operator: { email: "operator@maestro.test", password: "Orchestra-Pit-E2E-2" },
  viewer: { email: "viewer@maestro.test", password: "Balcony-Seat-E2E-3" },
} as const;
export type Persona = keyof typeof PEOPLE;

const ARTIFACTS = path.join("e2e", "artifacts");

/** Screenshots kept as test artifacts (uploaded by CI, looked at by people). */
export async function snap(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export async function signIn(page: Page, who: Persona) {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(PEOPLE[who].email);
  await page.getByLabel("Password").fill(PEOPLE[who].password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
}

/** Runs the `maestro` CLI against the running server's data dir (through its bridge). */
export function maestro(args: string[]) {
  return execFileSync(process.execPath, ["bin/maestro.mjs", ...args], {
    encoding: "utf8",
    env: { ...process.env, MAESTRO_DATA_DIR: E2E_DATA_DIR, PORT: process.env.E2E_PORT ?? "3210" },
  });
}
