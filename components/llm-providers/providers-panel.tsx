"use client";
// The Providers page: the team's providers (with per-row test, enable, edit, delete), the
// routing settings and the response cache. Write controls show only with providers:write.
import { Fragment, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ProviderDto, ProviderTestResultDto } from "@/server/shared/providers";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Icon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";
import { ActionsCell, ActionsHeaderCell, QueryStateRows, RowAction, TableFrame } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { formatMs } from "@/components/lib/units";
import { kindInfo } from "./kinds";
import { ProviderDialog } from "./provider-dialog";
import { ProviderTestResult } from "./provider-test-result";
import { RoutingCard } from "./routing-card";
import { CacheCard } from "./cache-card";
import { useAuditRefresh } from "@/components/lib/use-audit-refresh";
import { useInvalidateCatalog } from "@/components/lib/use-invalidate-catalog";
import styles from "./llm-providers.module.css";

const MODELS_SHOWN = 4;

function ModelChips({ models }: { models: string[] }) {
  const shown = models.slice(0, MODELS_SHOWN);
  return (
    <span className={`chip-list ${styles.models}`} title={models.join(", ")}>
      {shown.map((m) => (
        <code key={m} className="chip">
          {m}
        </code>
      ))}
      {models.length > shown.length && <span className="chip">+{models.length - shown.length}</span>}
    </span>
  );
}

function LastTest({ provider }: { provider: ProviderDto }) {
  if (!provider.lastTestedAt) return <span className="faint">Not tested</span>;
  return (
    <span className="stack" style={{ gap: 2, alignItems: "flex-start" }} title={provider.lastTestMessage ?? undefined}>
      {provider.lastTestOk ? <Badge tone="success">OK</Badge> : <Badge tone="danger">Failed</Badge>}
      <span className="cell-sub">
        <Time iso={provider.lastTestedAt} relative />
      </span>
    </span>
  );
}

function NoProviderNotice({ count }: { count: number }) {
  return (
    <Alert tone="info" title={count === 0 ? "No provider yet: the built-in offline model answers" : "No provider is enabled: the built-in offline model answers"}>
      Until a provider is {count === 0 ? "added" : "enabled"}, every call (Playground, workflows, the /v1 API) is answered by{" "}
      <code>maestro-offline</code>, a test model built into Maestro. It needs no network, but its answers are only placeholders.
    </Alert>
  );
}

export function ProvidersPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const canWrite = useCan("providers:write");
  const [editing, setEditing] = useState<ProviderDto | null>(null);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<ProviderDto | null>(null);
  const [tests, setTests] = useState<Record<string, ProviderTestResultDto>>({});
  const [testingId, setTestingId] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);

  const providers = useQuery(trpc.providers.list.queryOptions({ teamId: team.id }));
  useAuditRefresh(["provider.", "gateway.", "cache.", "model."], [trpc.providers.pathKey(), trpc.models.pathKey(), trpc.gateway.pathKey()]);
  const invalidate = useInvalidateCatalog({ providers: true });

  const update = useMutation(trpc.providers.update.mutationOptions({ onSuccess: invalidate, onError: (e) => setRowError(errorMessage(e)) }));
  const remove = useMutation(
    trpc.providers.remove.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        setRemoving(null);
      },
    }),
  );
  const test = useMutation(
    trpc.providers.test.mutationOptions({
      onSuccess: async (result, input) => {
        if (input.providerId) setTests((t) => ({ ...t, [input.providerId!]: result }));
        await queryClient.invalidateQueries({ queryKey: trpc.providers.list.queryKey({ teamId: team.id }) });
      },
      onError: (e, input) => input.providerId && setTests((t) => ({ ...t, [input.providerId!]: { ok: false, latencyMs: 0, message: errorMessage(e), models: [] } })),
      onSettled: () => setTestingId(null),
    }),
  );

  const rows = providers.data ?? [];
  const enabledCount = rows.filter((p) => p.enabled).length;
  const columns = 8;

  function runTest(p: ProviderDto) {
    setTestingId(p.id);
    test.mutate({ teamId: team.id, providerId: p.id });
  }

  const addButton = canWrite && (
    <Button variant="primary" onClick={() => setAdding(true)}>
      <Icon name="plus" />
      Add provider
    </Button>
  );

  return (
    <div className="stack-lg">
      <PageHeader
        title="Providers"
        description="Model vendors and local servers behind Maestro's gateway. Calls are routed by the strategy below, cached, and accounted per team."
        actions={addButton}
      />

      {providers.isSuccess && enabledCount === 0 && <NoProviderNotice count={rows.length} />}
      {rowError && (
        <Alert title="The change was not saved">
          {rowError}{" "}
          <button type="button" className="link-button" onClick={() => setRowError(null)}>
            Dismiss
          </button>
        </Alert>
      )}

      {providers.isSuccess && rows.length === 0 ? (
        <section className="card">
          <EmptyState icon="providers" title="No providers yet" actions={addButton}>
            <p>
              Add OpenAI or Anthropic with an API key, or any OpenAI-compatible server (Ollama, vLLM, LM Studio) by its URL. Keys are encrypted
              at rest and only ever shown masked.
            </p>
          </EmptyState>
        </section>
      ) : (
        <TableFrame label="Providers" stack>
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>API key</th>
              <th>Models</th>
              <th>Priority</th>
              <th>Timeout</th>
              <th>Status</th>
              <ActionsHeaderCell />
            </tr>
          </thead>
          <tbody>
            <QueryStateRows query={providers} colSpan={columns} noun="providers" />
            {rows.map((p) => {
              const result = tests[p.id];
              return (
                <Fragment key={p.id}>
                  <tr className={p.enabled ? undefined : "row-muted"} data-testid={`provider-row-${p.name}`}>
                    <td className="cell-title">
                      <div className="cell-primary">{p.name}</div>
                      <div className="cell-sub mono" style={{ overflowWrap: "anywhere" }}>
                        {p.baseUrl ?? (p.kind === "offline" ? "built in" : "vendor default")}
                      </div>
                    </td>
                    <td data-label="Kind">
                      <Badge tone={kindInfo(p.kind).tone}>{kindInfo(p.kind).short}</Badge>
                    </td>
                    <td data-label="API key" className="nowrap">
                      {p.apiKey ? <code>{p.apiKey}</code> : <span className="faint">None</span>}
                    </td>
                    <td data-label="Models">
                      <ModelChips models={p.models} />
                    </td>
                    <td data-label="Priority">{p.priority}</td>
                    <td data-label="Timeout" className="nowrap">
                      {formatMs(p.timeoutMs)}
                    </td>
                    <td data-label="Status">
                      <div className="stack" style={{ gap: 6, alignItems: "flex-start" }}>
                        <label className={styles.switch}>
                          <input
                            type="checkbox"
                            checked={p.enabled}
                            disabled={!canWrite || update.isPending}
                            onChange={(e) => update.mutate({ teamId: team.id, providerId: p.id, enabled: e.target.checked })}
                            aria-label={`Enable ${p.name}`}
                          />
                          {p.enabled ? "Enabled" : "Disabled"}
                        </label>
                        <LastTest provider={p} />
                      </div>
                    </td>
                    <ActionsCell>
                      {canWrite && (
                        <>
                          <RowAction label="Test" rowName={p.name} pending={testingId === p.id} onClick={() => runTest(p)} />
                          <RowAction label="Edit" rowName={p.name} onClick={() => setEditing(p)} />
                          <RowAction label="Delete" rowName={p.name} onClick={() => setRemoving(p)} />
                        </>
                      )}
                    </ActionsCell>
                  </tr>
                  {result && (
                    <tr className={styles.testRow}>
                      <td colSpan={columns} className="cell-full">
                        <div className="row" style={{ alignItems: "flex-start", flexWrap: "nowrap" }}>
                          <div style={{ flex: 1, minWidth: 0 }}>
                            <ProviderTestResult
                              result={result}
                              enabledModels={p.models}
                              pickDisabled={update.isPending}
                              onPickModel={canWrite ? (model) => update.mutate({ teamId: team.id, providerId: p.id, models: [...p.models, model] }) : undefined}
                            />
                          </div>
                          <button
                            type="button"
                            className="icon-button"
                            aria-label={`Hide the test result of ${p.name}`}
                            onClick={() => setTests(({ [p.id]: _gone, ...rest }) => rest)}
                          >
                            <Icon name="close" />
                          </button>
                        </div>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </TableFrame>
      )}

      <div className="grid-2">
        <RoutingCard />
        <CacheCard />
      </div>

      <ProviderDialog open={adding || editing !== null} provider={editing} onClose={() => (setAdding(false), setEditing(null))} />
      <ConfirmDialog
        open={removing !== null}
        title="Delete this provider?"
        confirmLabel="Delete provider"
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => removing && remove.mutate({ teamId: team.id, providerId: removing.id })}
        onClose={() => {
          remove.reset();
          setRemoving(null);
        }}
      >
        Calls stop going to <strong>{removing?.name}</strong> at once, and its stored API key is destroyed. Usage already recorded is kept.
      </ConfirmDialog>
    </div>
  );
}
