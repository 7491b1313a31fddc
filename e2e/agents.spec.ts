import { test, expect } from "@playwright/test";
import { signIn, snap } from "./fixtures";

const INSTRUCTIONS = "Plan in at most three sub-tasks, each with a result a reviewer can check.";

test("admin overrides the analyst's instructions, then resets it to the default", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/agents");
  const analyst = page.getByTestId("agent-row-analyst");
  await expect(analyst.getByText("Built-in")).toBeVisible();
  await expect(analyst.getByText("Overridden")).toHaveCount(0);
  for (const slug of ["gatekeeper", "executor", "verifier"]) await expect(page.getByTestId(`agent-row-${slug}`)).toBeVisible();

  await page.getByRole("button", { name: "Edit Analyst" }).click();
  await page.getByLabel("Instructions").fill(INSTRUCTIONS);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(analyst.getByText("Overridden")).toBeVisible();
  await expect(page.getByTestId("agent-instructions-analyst")).toHaveText(INSTRUCTIONS);
  await snap(page, "agents-overridden");

  await page.reload();
  await expect(page.getByTestId("agent-instructions-analyst")).toHaveText(INSTRUCTIONS);
  await page.getByRole("button", { name: "Reset Analyst" }).click();
  await page.getByRole("button", { name: "Reset to default" }).click();
  await expect(analyst.getByText("Overridden")).toHaveCount(0);
  await expect(page.getByTestId("agent-instructions-analyst")).not.toHaveText(INSTRUCTIONS);
});

test("a viewer sees the agents and MCP servers without any edit control", async ({ page }) => {
  await signIn(page, "viewer");
  await page.goto("/agents");
  await expect(page.getByTestId("agent-row-analyst")).toBeVisible();
  await expect(page.getByRole("button", { name: "New agent" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^(Edit|Reset|Delete) / })).toHaveCount(0);
  await snap(page, "agents-viewer");

  await page.goto("/mcp");
  await expect(page.getByRole("heading", { level: 1, name: "MCP servers" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Add server" })).toHaveCount(0);
});

test("the Nodes page shows the web node active, and who may drain it", async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "admin");
  await admin.goto("/nodes");
  const web = admin.locator('[data-testid="node-row-web"][data-status="ACTIVE"]').filter({ hasText: "serving this page" });
  await expect(web).toHaveCount(1);
  await expect(web.getByText("Active")).toBeVisible();
  await expect(web.getByRole("button", { name: /^Drain / })).toBeVisible();
  await expect(admin.getByTestId("dead-letters")).toBeVisible();
  await snap(admin, "nodes-admin");

  const viewer = await (await browser.newContext()).newPage();
  await signIn(viewer, "viewer");
  await viewer.goto("/nodes");
  await expect(viewer.locator('[data-testid="node-row-web"][data-status="ACTIVE"]').filter({ hasText: "serving this page" })).toHaveCount(1);
  await expect(viewer.getByRole("button", { name: /^Drain / })).toHaveCount(0);
});
