import { test, expect } from "@playwright/test";
import { signIn, snap } from "./fixtures";

test("admin creates a user and an API key, and the key calls tRPC over HTTP", async ({ page, request }) => {
  await signIn(page, "admin");

  await page.goto("/admin/users");
  await page.getByRole("button", { name: "Add user" }).click();
  await page.getByLabel("E-mail").fill("new.hire@maestro.test");
  await page.getByLabel("Role").selectOption("operator");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByTestId("generated-password")).toHaveText(/^[A-Za-z0-9]{20}$/);
  await snap(page, "admin-user-created");
  await page.keyboard.press("Escape");
  await page.reload();
  await expect(page.getByText("new.hire@maestro.test")).toBeVisible();
  await snap(page, "admin-users");

  await page.goto("/admin/api-keys");
  await page.getByRole("button", { name: "Create API key" }).click();
  await page.getByLabel("Name").fill("e2e client");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^mk_/);
  await snap(page, "admin-api-key-created");

  const me = await request.get("/api/trpc/account.me", { headers: { authorization: `Bearer ${key}` } });
  expect(me.status()).toBe(200);
  const body = (await me.json()) as { result: { data: { json: { email: string; apiKey: { name: string } } } } };
  expect(body.result.data.json.email).toBe("admin@maestro.test");
  expect(body.result.data.json.apiKey.name).toBe("e2e client");

  const anonymous = await request.get("/api/trpc/account.me");
  expect(anonymous.status()).toBe(401);

  await page.goto("/admin/audit");
  await expect(page.getByText("apikey.create").first()).toBeVisible();
  await snap(page, "admin-audit");
});
