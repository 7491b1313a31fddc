import { readFileSync } from "node:fs";
import { test, expect, type Page } from "@playwright/test";
import { startFakeOpenAI, type FakeOpenAI } from "../server/llm/testing/fake-openai.ts";
import { signIn, snap } from "./fixtures";

// The gateway end to end, through the browser: a provider pointing at a local server that
// speaks OpenAI's wire format for real, a streamed Playground answer with its cost, the
// spend on the Costs page, and a budget that refuses the next call.

const PROVIDER = "fake-openai";
const MODEL = "gpt-4o-mini";
const API_KEY = "not-a-real-key-e2e-6789";
const BUDGET = "E2E tiny budget";

let fake: FakeOpenAI;

test.beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: API_KEY });
});

test.afterAll(async () => {
  await fake?.close();
});

async function ask(page: Page, prompt: string) {
  await page.goto("/playground");
  await page.getByLabel("Model", { exact: true }).selectOption(`${PROVIDER}/${MODEL}`);
  await page.getByLabel("Message").fill(prompt);
  await page.getByRole("button", { name: "Send" }).click();
}

test("admin adds a provider, streams an answer, sees its cost, and a budget refuses the next call", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, "admin");

  // No provider yet: the page says the built-in offline model answers.
  await page.goto("/providers");
  await expect(page.getByText("the built-in offline model answers")).toBeVisible();

  // Add an OpenAI-compatible provider, testing the draft before saving it.
  await snap(page, "gateway-providers-empty");
  await page.getByRole("button", { name: "Add provider" }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Kind").selectOption("openai-compatible");
  await dialog.getByLabel("Name").fill(PROVIDER);
  await dialog.getByLabel("Base URL").fill(fake.url);
  await dialog.getByLabel("API key").fill(API_KEY);
  await dialog.getByLabel("Models").fill(MODEL);
  await dialog.getByRole("button", { name: "Test connection" }).click();
  await expect(dialog.getByTestId("provider-test-result")).toContainText("Connected");
  await expect(dialog.getByTestId("provider-test-result")).toContainText(MODEL);
  await snap(page, "gateway-provider-dialog");
  await dialog.getByRole("button", { name: "Add provider" }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByTestId(`provider-row-${PROVIDER}`);
  await expect(row).toBeVisible();
  await expect(row).toContainText("••••6789");
  await row.getByRole("button", { name: `Test ${PROVIDER}` }).click();
  await expect(page.getByTestId("provider-test-result")).toContainText("Connected");
  await expect(row.getByText("OK")).toBeVisible();
  await expect(page.getByText("the built-in offline model answers")).toHaveCount(0);
  await snap(page, "gateway-providers");

  await page.goto("/models");
  await expect(page.getByTestId(`model-row-${MODEL}`)).toContainText(PROVIDER);
  await snap(page, "gateway-models");

  // A streamed answer, with tokens and cost.
  await ask(page, "Hello from the playground");
  await expect(page.getByTestId("playground-answer")).toHaveText("Echo: Hello from the playground");
  await expect(page.getByTestId("playground-provider")).toHaveText(`${PROVIDER}/${MODEL}`);
  await expect(page.getByTestId("playground-cost")).toHaveText(/^\$0\.\d{6}$/);
  await expect(page.getByTestId("playground-cost")).not.toHaveText("$0.000000");
  await expect(page.getByTestId("playground-tokens")).toContainText("in");
  await expect(page.getByTestId("playground-cache")).toContainText("Cache miss");
  expect(fake.requests.some((r) => r.path === "/v1/chat/completions")).toBe(true);
  await snap(page, "gateway-playground");

  // The call is on the Costs page.
  await page.goto("/costs");
  await expect(page.getByTestId("costs-calls")).toHaveText("1");
  await expect(page.getByTestId("costs-total")).not.toHaveText("$0.00");
  await expect(page.getByTestId("costs-records")).toContainText(`${PROVIDER}/${MODEL}`);
  await expect(page.getByTestId("costs-spend-chart").locator(".main-svg").first()).toBeVisible();
  await expect(page.getByTestId("costs-model-chart").locator(".main-svg").first()).toBeVisible();
  await snap(page, "gateway-costs");
  // Exports: the chart as an image, the calls as CSV.
  const [png] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download Spend over time as PNG" }).click()]);
  expect(png.suggestedFilename()).toBe("spend-over-time.png");
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  expect(csv.suggestedFilename()).toMatch(/^maestro-usage-.+\.csv$/);
  expect(readFileSync((await csv.path())!, "utf8")).toContain(MODEL);
  await page.getByRole("button", { name: "Report (Markdown)" }).click();
  await expect(page.getByTestId("costs-report")).toContainText(MODEL);
  await page.keyboard.press("Escape");
  // The charts follow the theme.
  await page.getByRole("button", { name: "Toggle light or dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.waitForTimeout(300);
  await snap(page, "gateway-costs-dark");
  await page.getByRole("button", { name: "Toggle light or dark theme" }).click();

  // A team budget far below what was already spent.
  await page.goto("/budgets");
  await page.getByRole("button", { name: "Create budget" }).first().click();
  const budgetDialog = page.getByRole("dialog");
  await budgetDialog.getByLabel("Name").fill(BUDGET);
  await budgetDialog.getByLabel("Applies to").selectOption("team");
  await budgetDialog.getByLabel("Period").selectOption("monthly");
  await budgetDialog.getByLabel("Limit (USD)").fill("0.000001");
  await snap(page, "gateway-budget-dialog");
  await budgetDialog.getByRole("button", { name: "Create budget" }).click();
  await expect(budgetDialog).toBeHidden();
  await expect(page.getByTestId(`budget-row-${BUDGET}`)).toHaveAttribute("data-state", "exceeded");

  // The next call is refused, and the refusal names the budget; a Budgets page left open
  // in another tab shows the refusal live (socket.io "budget:event").
  const budgetsTab = await page.context().newPage();
  await budgetsTab.goto("/budgets");
  await expect(budgetsTab.getByTestId("realtime-status")).toHaveText(/Live/);
  await expect(budgetsTab.getByText("No threshold crossed and no call refused yet.")).toBeVisible();
  await ask(page, "One more question");
  const refusal = page.getByRole("alert").filter({ hasText: "Refused by a budget" });
  await expect(refusal).toBeVisible();
  await expect(refusal).toContainText(BUDGET);
  await snap(page, "gateway-playground-refused");
  await expect(budgetsTab.getByTestId("budget-events")).toContainText(`${BUDGET} refused a call`);
  await budgetsTab.close();

  await page.goto("/budgets");
  await expect(page.getByTestId(`budget-row-${BUDGET}`)).toContainText("Exceeded");
  await expect(page.getByTestId("budget-events")).toContainText("refused a call");
  await snap(page, "gateway-budgets");

  // Phone-sized screens: tables turn into cards, nothing overflows the page.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ["/budgets", "/costs", "/playground", "/providers"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${path} overflows horizontally`).toBeLessThanOrEqual(0);
    await snap(page, `gateway-mobile${path.replace("/", "-")}`);
  }
});

test("a viewer sees the gateway pages read-only", async ({ page }) => {
  await signIn(page, "viewer");
  await page.goto("/playground");
  await expect(page.getByText("Read-only")).toBeVisible();
  await expect(page.getByRole("button", { name: "Send" })).toBeDisabled();
  await page.goto("/providers");
  await expect(page.getByRole("heading", { name: "Providers", level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Add provider" })).toHaveCount(0);
  await page.goto("/budgets");
  await expect(page.getByRole("heading", { name: "Budgets", level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Create budget" })).toHaveCount(0);
  await page.goto("/costs");
  await expect(page.getByTestId("costs-total")).toBeVisible();
});
