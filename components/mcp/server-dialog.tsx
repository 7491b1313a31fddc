"use client";
// Add or edit one MCP server: a local command (stdio) with its arguments, or a remote
// URL (streamable HTTP), plus write-only secrets. The form validates with the server's
// own schemas and can test the unsaved configuration before saving it.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  MCP_TRANSPORT_LABELS,
  MCP_TRANSPORTS,
  mcpConfigProblem,
  mcpServerCreateInput,
  mcpServerUpdateInput,
  type McpServerDto,
  type McpTestResultDto,
  type McpTransport,
} from "@/server/shared/mcp";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { errorMessage, toFormError, type FormError } from "@/components/lib/api-error";
import { zodFormError } from "@/components/lib/form-errors";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { TextAreaField, TextField } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { Icon } from "@/components/ui/icons";
import { keptStoredSecrets, parseArgs, secretChanges, secretRowsProblem, storedSecretRows, emptySecretRow, type SecretRow } from "./secrets";
import { SecretsEditor } from "./secrets-editor";
import { McpTestResult } from "./test-result";
import styles from "./mcp.module.css";

const LABELS: Record<string, string> = {
  name: "Name",
  transport: "Transport",
  command: "Command",
  args: "Arguments",
  url: "URL",
  secrets: "Secrets",
  enabled: "Enabled",
};

const TRANSPORT_HINTS: Record<McpTransport, string> = {
  stdio: "Maestro starts the program on each node that uses it and talks over its stdin/stdout.",
  http: "A server already running somewhere, reached over HTTP (the MCP streamable-HTTP transport).",
};

function ServerForm({ server, onDone }: { server: McpServerDto | null; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const editing = server !== null;

  const [name, setName] = useState(server?.name ?? "");
  const [transport, setTransport] = useState<McpTransport>(server?.transport ?? "stdio");
  const [command, setCommand] = useState(server?.command ?? "");
  const [argsText, setArgsText] = useState((server?.args ?? []).join("\n"));
  const [url, setUrl] = useState(server?.url ?? "");
  const [secrets, setSecrets] = useState<SecretRow[]>(() => (server?.secretNames.length ? storedSecretRows(server.secretNames) : [emptySecretRow()]));
  const [enabled, setEnabled] = useState(server?.enabled ?? true);
  const [error, setError] = useState<FormError | null>(null);
  const [testResult, setTestResult] = useState<McpTestResultDto | null>(null);

  const args = transport === "stdio" ? parseArgs(argsText) : [];
  const target = {
    transport,
    command: transport === "stdio" ? command.trim() || null : null,
    args,
    url: transport === "http" ? url.trim() || null : null,
  };
  // Stored secrets may only go with the server they were saved for (the server enforces it too).
  const moved =
    editing &&
    (target.transport !== server.transport || target.command !== server.command || target.url !== server.url || JSON.stringify(args) !== JSON.stringify(server.args));
  const mustReenter = moved ? keptStoredSecrets(secrets) : [];

  const done = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.mcp.pathKey() });
    onDone();
  };
  const onServerError = (e: unknown) => setError(toFormError(e, LABELS));
  const create = useMutation(trpc.mcp.create.mutationOptions({ onSuccess: done, onError: onServerError }));
  const update = useMutation(trpc.mcp.update.mutationOptions({ onSuccess: done, onError: onServerError }));
  const test = useMutation(
    trpc.mcp.test.mutationOptions({
      onSuccess: (result) => setTestResult(result),
      onError: (e) => setTestResult({ ok: false, tools: [], latencyMs: 0, error: errorMessage(e) }),
    }),
  );

  function secretsProblem(): FormError | null {
    const problem = secretRowsProblem(secrets);
    if (problem) return { message: problem, fields: { secrets: problem } };
    // The secrets editor already explains this one under the rows.
    if (mustReenter.length) return { message: `Type ${mustReenter.join(", ")} again, or remove ${mustReenter.length === 1 ? "it" : "them"}.`, fields: { secrets: "" } };
    return null;
  }

  function submit() {
    setError(null);
    const changes = secretChanges(secrets);
    const problem = secretsProblem();
    if (problem) return setError(problem);
    if (editing) {
      const input = { teamId: team.id, serverId: server.id, name: name.trim(), ...target, ...(changes ? { secrets: changes } : {}), enabled };
      const parsed = mcpServerUpdateInput.safeParse(input);
      if (!parsed.success) return setError(zodFormError(parsed.error, LABELS));
      const incomplete = mcpConfigProblem(target);
      if (incomplete) return setError({ message: incomplete.message, fields: { [incomplete.field]: incomplete.message } });
      update.mutate(input);
    } else {
      const input = {
        teamId: team.id,
        name: name.trim(),
        transport,
        ...(target.command ? { command: target.command } : {}),
        args,
        ...(target.url ? { url: target.url } : {}),
        // A new server has no stored secrets, so there is nothing to remove (null).
        secrets: Object.fromEntries(Object.entries(changes ?? {}).filter((entry): entry is [string, string] => entry[1] !== null)),
        enabled,
      };
      const parsed = mcpServerCreateInput.safeParse(input);
      if (!parsed.success) return setError(zodFormError(parsed.error, LABELS));
      create.mutate(input);
    }
  }

  function runTest() {
    setTestResult(null);
    const problem = secretsProblem();
    if (problem) return setError(problem);
    const changes = secretChanges(secrets);
    test.mutate({
      teamId: team.id,
      ...(editing ? { serverId: server.id } : {}),
      draft: { ...target, ...(changes ? { secrets: changes } : {}) },
    });
  }

  function chooseTransport(next: McpTransport) {
    setTransport(next);
    setTestResult(null);
  }

  return (
    <Form id="mcp-server-form" onSubmit={submit} error={error?.message} submitLabel={editing ? "Save changes" : "Add server"} pending={create.isPending || update.isPending} noValidate>
      <TextField
        label="Name"
        required
        maxLength={40}
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder="filesystem"
        hint={
          <>
            Tools are addressed as <code>{name.trim() || "name"}.tool</code>: lower-case letters, digits, “_” and “-”.
          </>
        }
        error={error?.fields.name}
        autoComplete="off"
        spellCheck={false}
      />

      <div className="field" role="radiogroup" aria-label="Transport">
        <span className="field-label">Transport</span>
        <div className={styles.transportChoice}>
          {MCP_TRANSPORTS.map((t) => (
            <label key={t} className={styles.transportOption}>
              <input type="radio" name="mcp-transport" value={t} checked={transport === t} onChange={() => chooseTransport(t)} />
              <strong>{MCP_TRANSPORT_LABELS[t]}</strong>
              <span>{TRANSPORT_HINTS[t]}</span>
            </label>
          ))}
        </div>
      </div>

      {transport === "stdio" ? (
        <>
          <TextField
            label="Command"
            required
            value={command}
            onChange={(e) => setCommand(e.target.value)}
            placeholder="npx"
            className={styles.mono}
            hint="The program alone, run without a shell: npx, uvx, docker, or an absolute path."
            error={error?.fields.command}
            autoComplete="off"
            spellCheck={false}
          />
          <TextAreaField
            label="Arguments"
            rows={3}
            value={argsText}
            onChange={(e) => setArgsText(e.target.value)}
            placeholder={"-y\n@modelcontextprotocol/server-filesystem\n/data"}
            className={styles.mono}
            hint={`One per line, passed as they are (${args.length} given).`}
            error={error?.fields.args}
            spellCheck={false}
          />
        </>
      ) : (
        <TextField
          label="URL"
          type="url"
          required
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://mcp.example.com/mcp"
          className={styles.mono}
          hint="The server's streamable-HTTP endpoint."
          error={error?.fields.url}
          autoComplete="off"
          spellCheck={false}
        />
      )}

      <SecretsEditor transport={transport} rows={secrets} onChange={setSecrets} error={error?.fields.secrets || undefined} mustReenter={mustReenter} />

      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Enabled: agents and tool steps may call its tools
      </label>

      <div className="stack" style={{ gap: 8 }}>
        <div className="row">
          <Button onClick={runTest} pending={test.isPending}>
            <Icon name="zap" />
            Test connection
          </Button>
          <span className="faint" style={{ fontSize: 12.5 }}>
            Connects with the values above, without saving them, and lists the tools.
          </span>
        </div>
        {testResult && <McpTestResult result={testResult} />}
      </div>
    </Form>
  );
}

export function ServerDialog({ open, server, onClose }: { open: boolean; server: McpServerDto | null; onClose: () => void }) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="lg"
      title={server ? `Edit ${server.name}` : "Add MCP server"}
      description={server ? undefined : "Connect a Model Context Protocol server; its tools become available to agents and tool steps of this team."}
    >
      <ServerForm server={server} onDone={onClose} />
    </Dialog>
  );
}
