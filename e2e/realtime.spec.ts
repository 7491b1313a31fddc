import { test, expect } from "@playwright/test";
import { signIn, snap } from "./fixtures";

test("an event from the server reaches a logged-in page over socket.io", async ({ browser }) => {
  const adminPage = await (await browser.newContext()).newPage();
  await signIn(adminPage, "admin");
  const viewerPage = await (await browser.newContext()).newPage();
  await signIn(viewerPage, "viewer");
  await expect(viewerPage.getByTestId("realtime-status")).toHaveText(/Live/);

  // The admin renames the team; the viewer's dashboard shows it live, without a reload.
  await adminPage.goto("/admin/teams");
  const { status } = await adminPage.evaluate(async () => {
    const me = await fetch("/api/trpc/account.me").then((r) => r.json());
    const teamId = me.result.data.json.memberships[0].teamId;
    const res = await fetch("/api/trpc/teams.rename", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { teamId, name: "Default (renamed live)" } }),
    });
    return { status: res.status };
  });
  expect(status).toBe(200);
  await expect(viewerPage.getByTestId("live-activity")).toContainText("team.rename");
  await snap(viewerPage, "realtime-viewer");
});
