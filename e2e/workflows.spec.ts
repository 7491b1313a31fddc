import { test, expect, type Page } from "@playwright/test";
import { signIn, snap } from "./fixtures";

// Workflows end to end, through the browser: a workflow from a code-only template, edited on
// the canvas (a step added from the palette and connected by dragging) and saved as a new
// version; a run whose steps turn green live, with a step's output; a slow run cancelled
// while a step is running; and the same pages read-only for a viewer.

const SLOW_WORKFLOW = [
  "name: Slow job",
  "description: Two code steps that each keep a worker busy for a while.",
  "steps:",
  "  - id: wait",
  "    kind: code",
  "    code: |",
  "      const end = Date.now() + 2500;",
  "      while (Date.now() < end) {}",
  "      return 1;",
  "  - id: wait_more",
  "    kind: code",
  "    needs: [wait]",
  "    code: |",
  "      const end = Date.now() + 2500;",
  "      while (Date.now() < end) {}",
  "      return 2;",
].join("\n");

async function openNewWorkflow(page: Page) {
  await page.goto("/workflows");
  await page.getByRole("button", { name: "New workflow" }).first().click();
  return page.getByRole("dialog");
}

async function startRun(page: Page) {
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("heading", { name: /^Run / })).toBeVisible();
  await dialog.getByRole("button", { name: "Start run" }).click();
  await expect(page).toHaveURL(/\/runs\/[^/]+$/);
}

test("an operator builds a workflow from a template, runs it live, and cancels a slow run", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, "admin");

  // An empty list guides to the templates.
  await page.goto("/workflows");
  await expect(page.getByRole("heading", { name: "No workflows yet" })).toBeVisible();
  await snap(page, "workflows-empty");

  // From the code-only template, into the editor.
  const dialog = await openNewWorkflow(page);
  await dialog.getByTestId("template-word-statistics").click();
  await expect(dialog.getByLabel("Name")).toHaveValue("Word statistics");
  await expect(dialog.getByLabel("Slug")).toHaveValue("word-statistics");
  await snap(page, "workflows-templates");
  await dialog.getByRole("button", { name: "Create workflow" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await expect(page.getByTestId("step-node-split")).toBeVisible();
  await expect(page.getByTestId("validation-state")).toHaveText(/Valid/);

  // Add a code step from the palette and make it run after the report by dragging an edge.
  await page.getByTestId("palette-code").click();
  await expect(page.getByTestId("step-node-code_1")).toBeVisible();
  await expect(page.getByTestId("step-panel")).toContainText("code_1");
  await page.getByTestId("step-panel").getByLabel("Name (optional)").fill("Announce");
  // On a narrow canvas the view starts on the first columns; show every step before dragging.
  await page.getByRole("button", { name: "Fit View" }).click();
  await page.locator('[data-id="report"] .react-flow__handle.source').dragTo(page.locator('[data-id="code_1"] .react-flow__handle.target'));
  await expect(page.getByTestId("step-panel").getByRole("list", { name: "Runs after" })).toContainText("report");
  await expect(page.getByText("Unsaved changes")).toBeVisible();
  await snap(page, "workflows-editor");

  // A reference to a step that does not exist is marked on its node, then fixed.
  await page.getByTestId("step-panel").getByLabel("Inputs").fill('{ "report": "{{ steps.nowhere.output }}" }');
  await expect(page.getByTestId("validation-state")).toHaveText(/1 issue/);
  await page.getByRole("button", { name: "Validate" }).click();
  await expect(page.getByTestId("definition-issues")).toContainText("nowhere");
  await expect(page.getByTestId("step-node-code_1")).toContainText("1 issue");
  await snap(page, "workflows-editor-issue");
  await page.getByTestId("step-panel").getByLabel("Inputs").fill('{ "report": "{{ steps.report.output }}" }');
  await expect(page.getByTestId("validation-state")).toHaveText(/Valid/);

  // Save a second version.
  await page.getByRole("button", { name: "Save version" }).click();
  const save = page.getByRole("dialog");
  await save.getByLabel("What changed (optional)").fill("Announce the totals");
  await save.getByRole("button", { name: "Save as version 2" }).click();
  await expect(page.getByText("Saved as version 2.")).toBeVisible();
  await expect(page.getByText("Unsaved changes")).toHaveCount(0);

  // Run it: the steps turn green live, and a step shows its output.
  await startRun(page);
  for (const step of ["split", "measure", "report", "code_1"]) {
    await expect(page.getByTestId(`step-state-${step}`)).toHaveText("Succeeded", { timeout: 30_000 });
  }
  await expect(page.getByTestId("run-status")).toHaveText("Succeeded");
  await expect(page.getByTestId("run-progress")).toHaveText(/^(\d+) \/ \1 steps$/);
  await expect(page.getByTestId("step-node-measure")).toContainText("items");
  await page.getByTestId("step-node-report").click();
  await expect(page.getByTestId("step-details")).toContainText("Succeeded");
  await expect(page.getByTestId("step-output")).toContainText("longest");
  await expect(page.getByTestId("run-timeline")).toContainText("Run succeeded");
  await snap(page, "workflows-run-succeeded");

  // The runs list shows it.
  await page.goto("/runs");
  await expect(page.getByTestId("runs-table")).toContainText("Word statistics");
  await expect(page.getByTestId("runs-table")).toContainText("Succeeded");
  await snap(page, "workflows-runs");

  // A slow workflow, imported as YAML, cancelled while its first step runs.
  const importDialog = await openNewWorkflow(page);
  await importDialog.getByRole("tab", { name: "Import YAML or JSON" }).click();
  await importDialog.getByLabel("Definition").fill(SLOW_WORKFLOW);
  await expect(importDialog.getByLabel("Slug")).toHaveValue("slow-job");
  await importDialog.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await startRun(page);
  await expect(page.getByTestId("step-state-wait")).toHaveText("Running", { timeout: 30_000 });
  await snap(page, "workflows-run-running");
  await page.getByRole("button", { name: "Cancel run" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel run" }).click();
  await expect(page.getByTestId("run-status")).toHaveText("Cancelled");
  await expect(page.getByTestId("step-state-wait_more")).not.toHaveText("Succeeded");
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
  await snap(page, "workflows-run-cancelled");

  await page.goto("/workflows");
  await expect(page.getByTestId("workflow-row-word-statistics")).toContainText("v2");
  await expect(page.getByTestId("workflow-row-slow-job")).toContainText("Cancelled");
  await snap(page, "workflows-list");
});

test("a viewer sees workflows and runs read-only", async ({ page }) => {
  await signIn(page, "viewer");
  await page.goto("/workflows");
  await expect(page.getByRole("heading", { name: "Workflows", level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "New workflow" })).toHaveCount(0);
  const row = page.getByTestId("workflow-row-word-statistics");
  await expect(row.getByRole("button", { name: /^Run / })).toHaveCount(0);
  await row.getByRole("link", { name: "Open Word statistics" }).click();
  await expect(page.getByText("Read-only")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Add a step" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save version" })).toHaveCount(0);
  await expect(page.getByTestId("step-node-split")).toBeVisible();
  await snap(page, "workflows-editor-viewer");

  await page.goto("/runs");
  await page.getByRole("link", { name: "Slow job" }).first().click();
  await expect(page.getByTestId("run-status")).toHaveText("Cancelled");
  await expect(page.getByRole("button", { name: /Retry from this step/ })).toHaveCount(0);

  // Phone-sized screens: the lists turn into cards, nothing overflows the page.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ["/workflows", "/runs"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${path} overflows horizontally`).toBeLessThanOrEqual(0);
  }
});
