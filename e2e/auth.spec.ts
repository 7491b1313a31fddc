import { test, expect } from "@playwright/test";
import { signIn, snap, PEOPLE, type Persona } from "./fixtures";

test("an anonymous visitor is sent to the login page, and back after signing in", async ({ page }) => {
  await page.goto("/admin/audit");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fadmin%2Faudit/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await snap(page, "login");
  await page.getByLabel("E-mail").fill(PEOPLE.admin.email);
  await page.getByLabel("Password").fill(PEOPLE.admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
});

test("a wrong password shows a clear message", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(PEOPLE.viewer.email);
  await page.getByLabel("Password").fill("definitely-not-it");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("The e-mail or password is not correct.");
});

for (const who of ["admin", "operator", "viewer"] as Persona[]) {
  test(`${who} signs in and sees the dashboard`, async ({ page }) => {
    await signIn(page, who);
    await expect(page.getByText(PEOPLE[who].email).first()).toBeVisible();
    await expect(page.getByRole("link", { name: "Workflows" }).first()).toBeVisible();
    const adminLink = page.getByRole("link", { name: "Admin" });
    if (who === "admin") await expect(adminLink.first()).toBeVisible();
    else await expect(adminLink).toHaveCount(0);
    await snap(page, `dashboard-${who}`);
  });
}

for (const who of ["viewer", "operator"] as Persona[]) {
  test(`${who} is refused the admin pages with a 403`, async ({ page }) => {
    await signIn(page, who);
    const response = await page.goto("/admin/users");
    expect(response?.status()).toBe(403);
    await expect(page.getByText("You don't have access to this page")).toBeVisible();
    await snap(page, `forbidden-${who}`);
  });
}
