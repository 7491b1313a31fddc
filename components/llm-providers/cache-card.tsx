"use client";
// The response cache: hits, misses and size, and invalidation of the team's entries
// (all of them or one model's).
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Icon } from "@/components/ui/icons";
import { formatBytes, formatInt, formatRatio } from "@/components/lib/units";

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="stat" style={{ boxShadow: "none" }}>
      <div className="stat-label">{label}</div>
      <div className="stat-value" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

export function CacheCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const canWrite = useCan("providers:write");
  const stats = useQuery({ ...trpc.gateway.cacheStats.queryOptions({ teamId: team.id }), refetchInterval: 30_000 });
  const routable = useQuery(trpc.gateway.models.queryOptions({ teamId: team.id }));
  const models = [...new Set((routable.data ?? []).map((m) => m.model))].sort();
  const [model, setModel] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [removed, setRemoved] = useState<{ count: number; model: string } | null>(null);

  const invalidate = useMutation(
    trpc.gateway.cacheInvalidate.mutationOptions({
      onSuccess: async (result, input) => {
        setRemoved({ count: result.removed, model: input.model ?? "" });
        setConfirming(false);
        await queryClient.invalidateQueries({ queryKey: trpc.gateway.cacheStats.queryKey({ teamId: team.id }) });
      },
    }),
  );

  const s = stats.data;
  const lookups = s ? s.hits + s.misses : 0;

  return (
    <Card
      title={
        <>
          <Icon name="zap" /> Response cache
        </>
      }
      actions={
        <Button size="sm" variant="ghost" onClick={() => void stats.refetch()} pending={stats.isFetching} aria-label="Refresh cache statistics">
          <Icon name="refresh" />
          Refresh
        </Button>
      }
    >
      <div className="stack">
        {stats.isError && <Alert title="Cache statistics could not be loaded">{errorMessage(stats.error)}</Alert>}
        {stats.isPending && <p className="muted">Loading cache statistics…</p>}
        {s && (
          <>
            <div className="stat-grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(110px, 1fr))" }}>
              <Stat label="Hits" value={formatInt(s.hits)} testId="cache-hits" />
              <Stat label="Misses" value={formatInt(s.misses)} />
              <Stat label="Hit rate" value={lookups ? formatRatio(s.hits / lookups) : "—"} />
              <Stat label="Entries" value={formatInt(s.entries)} />
              <Stat label="Size" value={formatBytes(s.bytes)} />
            </div>
            <p className="faint" style={{ fontSize: 12.5 }}>
              {s.backend === "redis" ? "Shared Redis cache" : "In-memory cache of this process"}; hits and misses count since the server started, for every team.
            </p>
          </>
        )}
        {removed && (
          <Alert tone="success">
            Removed {formatInt(removed.count)} cached {removed.count === 1 ? "answer" : "answers"}
            {removed.model ? ` of ${removed.model}` : ""}.
          </Alert>
        )}
        {canWrite && (
          <div className="row" style={{ flexWrap: "nowrap" }}>
            <select className="input select input-sm" value={model} onChange={(e) => setModel(e.target.value)} aria-label="Cached answers to invalidate">
              <option value="">All of this team&apos;s models</option>
              {models.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
            <Button size="sm" onClick={() => setConfirming(true)}>
              Invalidate
            </Button>
          </div>
        )}
      </div>
      <ConfirmDialog
        open={confirming}
        title="Invalidate cached answers?"
        confirmLabel="Invalidate"
        pending={invalidate.isPending}
        error={invalidate.error ? errorMessage(invalidate.error) : null}
        onConfirm={() => invalidate.mutate({ teamId: team.id, ...(model ? { model } : {}) })}
        onClose={() => {
          invalidate.reset();
          setConfirming(false);
        }}
      >
        The next identical calls {model ? <>to <strong>{model}</strong></> : "of this team"} go to the provider again (and cost again). Other teams&apos; entries are not
        touched.
      </ConfirmDialog>
    </Card>
  );
}
