"use client";
// How many of the team's runs execute at once: the limit, what runs and waits now, and
// (for admins) a field to change it. Runs beyond the limit wait in line by priority.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Button } from "@/components/ui/button";

const REFRESH_MS = 5_000;

export function RunLimits() {
  const trpc = useTRPC();
  const team = useTeam();
  const queryClient = useQueryClient();
  const canChange = useCan("settings:admin");
  const limits = useQuery({ ...trpc.runs.limits.queryOptions({ teamId: team.id }), refetchInterval: REFRESH_MS });
  const [editing, setEditing] = useState<string | null>(null);
  const save = useMutation(
    trpc.runs.setLimits.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.runs.limits.queryKey({ teamId: team.id }), data);
        setEditing(null);
      },
    }),
  );
  if (!limits.data) return null;
  const { maxConcurrentRuns, isDefault, running, queued } = limits.data;
  const value = editing ?? "";
  const submit = () => save.mutate({ teamId: team.id, maxConcurrentRuns: value.trim() === "" ? null : Number(value) });
  return (
    <div className="toolbar" aria-label="Runs at once">
      <span>
        <strong>{running}</strong> running · <strong>{queued}</strong> waiting · at most <strong>{maxConcurrentRuns}</strong> at once
        {isDefault ? " (installation default)" : ""}
      </span>
      {canChange && editing === null && (
        <Button size="sm" variant="ghost" onClick={() => setEditing(String(maxConcurrentRuns))}>
          Change limit
        </Button>
      )}
      {canChange && editing !== null && (
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <label className="field-label" htmlFor="run-limit">
            Runs at once (empty: default)
          </label>
          <input id="run-limit" className="input" type="number" min={1} max={1000} value={value} onChange={(e) => setEditing(e.target.value)} style={{ width: "6rem" }} />
          <Button size="sm" variant="primary" type="submit" pending={save.isPending}>
            Save
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setEditing(null)}>
            Cancel
          </Button>
          {save.error && <span role="alert">{errorMessage(save.error)}</span>}
        </form>
      )}
    </div>
  );
}
