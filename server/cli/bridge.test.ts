// The CLI bridge over a real loopback HTTP server: the running server executes the
// CLI's commands on its own database, only for a caller holding the token file.
import { describe, expect, it } from "vitest";
import { env } from "../env.ts";
import { withFixtures } from "../test/fixtures.ts";
import { withBridgeServer } from "../test/cli-bridge.ts";
import { BridgeError, callRunningServer, runningServer } from "./bridge.ts";

const f = withFixtures();
withBridgeServer("bridge");

describe("CLI bridge", () => {
  it("finds the running server and has it create a user in the server's database", async () => {
    const info = runningServer(env());
    expect(info).toMatchObject({ pid: process.pid });
    const result = await callRunningServer(info!, { name: "user.create", args: { email: "Grace@Acme.test", role: "viewer", team: "acme" } });
    expect(result).toMatchObject({ email: "grace@acme.test", team: "acme", role: "viewer", createdAccount: true });
    expect((result as { generatedPassword: string }).generatedPassword).toHaveLength(20);
    expect(await f.db.user.findUnique({ where: { email: "grace@acme.test" } })).not.toBeNull();
  });

  it("explains bad arguments by flag, and domain refusals in plain words", async () => {
    const info = runningServer(env())!;
    await expect(callRunningServer(info, { name: "user.create", args: { email: "nope", role: "viewer", team: "acme" } })).rejects.toThrow(/--email: must be a valid e-mail address/);
    await expect(callRunningServer(info, { name: "user.create", args: { email: "x@acme.test", role: "viewer", team: "nowhere" } })).rejects.toThrow(/Team "nowhere" was not found/);
    await expect(callRunningServer(info, { name: "user.reset-password", args: { email: "ghost@acme.test" } })).rejects.toThrow(BridgeError);
  });

  it("ignores callers without the token", async () => {
    const info = runningServer(env())!;
    const forged = { name: "user.create" as const, args: { email: "mallory@acme.test", role: "admin" as const, team: "acme" } };
    await expect(callRunningServer({ ...info, token: "guessed" }, forged)).rejects.toThrow(/Not found/);
    expect(await f.db.user.findUnique({ where: { email: "mallory@acme.test" } })).toBeNull();
  });

  it("says plainly when the server holding the database does not answer", async () => {
    await expect(callRunningServer({ pid: process.pid, port: 1, token: "x" }, { name: "migrate.status", args: {} })).rejects.toThrow(/did not answer on port 1/);
  });
});
