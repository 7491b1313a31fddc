"use client";
// The team's effective model catalog: shipped entries, the team's price overrides and
// its custom models, with the providers each is enabled on. Admins (models:write) edit.
import { useDeferredValue, useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import type { CatalogModelDto, ModelSource } from "@/server/shared/providers";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Icon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";
import { ActionsCell, ActionsHeaderCell, numericCell, QueryStateRows, RowAction, TableFrame, TableMessage } from "@/components/ui/table";
import { KIND_OPTIONS, kindInfo } from "@/components/llm-providers/kinds";
import { formatCompact, formatPricePerMillion } from "@/components/lib/units";
import { useAuditRefresh } from "@/components/lib/use-audit-refresh";
import { useInvalidateCatalog } from "@/components/lib/use-invalidate-catalog";
import { CAPABILITY_TEXT, ModelDialog } from "./model-dialog";
import styles from "./models.module.css";

const SOURCE: Record<ModelSource, { label: string; tone: BadgeTone; title: string }> = {
  shipped: { label: "Shipped", tone: "neutral", title: "As Maestro ships it" },
  override: { label: "Override", tone: "warning", title: "A shipped model with this team's own price or limits" },
  custom: { label: "Custom", tone: "accent", title: "Added by this team" },
};

function Price({ value, shipped }: { value: number; shipped: number | undefined }) {
  return (
    <>
      {formatPricePerMillion(value)}
      {shipped !== undefined && shipped !== value && <span className={styles.shipped}>{formatPricePerMillion(shipped)}</span>}
    </>
  );
}

export function ModelsPanel() {
  const trpc = useTRPC();
  const team = useTeam();
  const canWrite = useCan("models:write");
  const models = useQuery(trpc.models.list.queryOptions({ teamId: team.id }));
  useAuditRefresh(["model.", "provider."], [trpc.models.pathKey()]);
  const [search, setSearch] = useState("");
  const [kind, setKind] = useState("");
  const [onlyEnabled, setOnlyEnabled] = useState(false);
  const [editing, setEditing] = useState<CatalogModelDto | null>(null);
  const [adding, setAdding] = useState(false);
  const [resetting, setResetting] = useState<CatalogModelDto | null>(null);
  const query = useDeferredValue(search.trim().toLowerCase());

  const invalidateCatalog = useInvalidateCatalog();
  const reset = useMutation(
    trpc.models.reset.mutationOptions({
      onSuccess: async () => {
        await invalidateCatalog();
        setResetting(null);
      },
    }),
  );

  const all = models.data ?? [];
  const rows = all.filter((m) => (!query || m.id.toLowerCase().includes(query)) && (!kind || m.provider === kind) && (!onlyEnabled || m.enabledOn.length > 0));
  const columns = canWrite ? 9 : 8;

  return (
    <div className="stack-lg">
      <PageHeader
        title="Models & prices"
        description="The price catalog every call is costed from, in USD per million tokens. Shipped prices can be overridden per team, and models the catalog does not know can be added."
        actions={
          canWrite && (
            <Button variant="primary" onClick={() => setAdding(true)}>
              <Icon name="plus" />
              Add custom model
            </Button>
          )
        }
      />

      <div>
        <div className="toolbar">
          <div className="field grow">
            <label className="field-label" htmlFor="model-search">
              Search
            </label>
            <div className="input-with-icon">
              <Icon name="search" />
              <input id="model-search" className="input" type="search" placeholder="Model id" value={search} onChange={(e) => setSearch(e.target.value)} />
            </div>
          </div>
          <div className="field">
            <label className="field-label" htmlFor="model-kind">
              Provider kind
            </label>
            <select id="model-kind" className="input select" value={kind} onChange={(e) => setKind(e.target.value)}>
              <option value="">All kinds</option>
              {KIND_OPTIONS.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.short}
                </option>
              ))}
            </select>
          </div>
          <label className="checkbox" style={{ height: 36 }}>
            <input type="checkbox" checked={onlyEnabled} onChange={(e) => setOnlyEnabled(e.target.checked)} />
            Only models enabled on a provider
          </label>
          <span className="spacer" />
          {models.isSuccess && (
            <span className="faint" style={{ fontSize: 12.5, height: 36, display: "flex", alignItems: "center" }}>
              {rows.length} of {all.length} models
            </span>
          )}
        </div>

        <TableFrame label="Models and prices" stack>
          <thead>
            <tr>
              <th>Model</th>
              <th>Kind</th>
              <th className={numericCell} title="Context window / maximum output tokens">
                Context / out
              </th>
              <th className={numericCell} title="USD per million input tokens">
                Input
              </th>
              <th className={numericCell} title="USD per million cached input tokens">
                Cached
              </th>
              <th className={numericCell} title="USD per million output tokens">
                Output
              </th>
              <th>Capabilities</th>
              <th>Enabled on</th>
              {canWrite && <ActionsHeaderCell />}
            </tr>
          </thead>
          <tbody>
            <QueryStateRows query={models} colSpan={columns} noun="models" />
            {models.isSuccess && rows.length === 0 && <TableMessage colSpan={columns}>No model matches these filters.</TableMessage>}
            {rows.map((m) => (
              <tr key={m.id} data-testid={`model-row-${m.id}`}>
                <td className="cell-title">
                  <div className={styles.modelId}>{m.id}</div>
                  <div style={{ marginTop: 4 }}>
                    <Badge tone={SOURCE[m.source].tone} title={SOURCE[m.source].title}>
                      {SOURCE[m.source].label}
                    </Badge>
                  </div>
                </td>
                <td data-label="Kind">
                  <Badge tone={kindInfo(m.provider).tone}>{kindInfo(m.provider).short}</Badge>
                </td>
                <td
                  data-label="Context / out"
                  className={numericCell}
                  title={`${m.contextWindow.toLocaleString("en-US")} tokens of context, at most ${m.maxOutputTokens.toLocaleString("en-US")} out`}
                >
                  {formatCompact(m.contextWindow)} <span className="faint">/ {formatCompact(m.maxOutputTokens)}</span>
                </td>
                <td data-label="Input $/1M" className={numericCell}>
                  <Price value={m.price.input} shipped={m.shippedPrice?.input} />
                </td>
                <td data-label="Cached $/1M" className={numericCell}>
                  <Price value={m.price.cachedInput} shipped={m.shippedPrice?.cachedInput} />
                </td>
                <td data-label="Output $/1M" className={numericCell}>
                  <Price value={m.price.output} shipped={m.shippedPrice?.output} />
                </td>
                <td data-label="Capabilities">
                  <span className={`chip-list ${styles.capabilityList}`}>
                    {m.capabilities.map((c) => (
                      <span key={c} className="chip" title={CAPABILITY_TEXT[c as keyof typeof CAPABILITY_TEXT]}>
                        {c}
                      </span>
                    ))}
                  </span>
                </td>
                <td data-label="Enabled on">
                  {m.enabledOn.length ? (
                    <span className="chip-list">
                      {m.enabledOn.map((p) => (
                        <code key={p} className="chip">
                          {p}
                        </code>
                      ))}
                    </span>
                  ) : (
                    <span className="faint">—</span>
                  )}
                </td>
                {canWrite && (
                  <ActionsCell>
                    <RowAction label="Edit" rowName={m.id} onClick={() => setEditing(m)} />
                    {m.source !== "shipped" && <RowAction label={m.source === "custom" ? "Delete" : "Reset"} rowName={m.id} onClick={() => setResetting(m)} />}
                  </ActionsCell>
                )}
              </tr>
            ))}
          </tbody>
        </TableFrame>
      </div>

      <ModelDialog open={adding || editing !== null} model={editing} onClose={() => (setAdding(false), setEditing(null))} />
      <ConfirmDialog
        open={resetting !== null}
        title={resetting?.source === "custom" ? "Delete this custom model?" : "Reset to the shipped price?"}
        confirmLabel={resetting?.source === "custom" ? "Delete model" : "Reset"}
        pending={reset.isPending}
        error={reset.error ? errorMessage(reset.error) : null}
        onConfirm={() => resetting && reset.mutate({ teamId: team.id, modelId: resetting.id })}
        onClose={() => {
          reset.reset();
          setResetting(null);
        }}
      >
        {resetting?.source === "custom" ? (
          <>
            <strong>{resetting.id}</strong> leaves this team&apos;s catalog, with its price and limits. Costs already recorded do not change.
          </>
        ) : (
          <>
            <strong>{resetting?.id}</strong> goes back to the price and limits Maestro ships. Costs already recorded do not change.
          </>
        )}
      </ConfirmDialog>
    </div>
  );
}
