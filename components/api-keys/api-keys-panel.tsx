"use client";
// API keys of the selected team. The admin page lists every key the caller may see
// (all of the team's with apikeys:admin); the account page lists only the caller's own.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ApiKeyDto } from "@/server/shared/dto";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam, useViewer } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Icon } from "@/components/ui/icons";
import { ActionsHeaderCell, QueryStateRows, TableFrame } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { CreateApiKeyDialog } from "./create-api-key-dialog";

const SCOPES_SHOWN = 3;

function KeyStatus({ apiKey }: { apiKey: ApiKeyDto }) {
  if (apiKey.revokedAt) return <Badge tone="danger">Revoked</Badge>;
  if (apiKey.expiresAt && new Date(apiKey.expiresAt).getTime() <= Date.now()) return <Badge tone="warning">Expired</Badge>;
  return <Badge tone="success">Active</Badge>;
}

function ScopeChips({ scopes }: { scopes: string[] }) {
  const shown = scopes.slice(0, SCOPES_SHOWN);
  return (
    <span className="chip-list" title={scopes.join(", ")}>
      {shown.map((s) => (
        <code key={s} className="chip">
          {s}
        </code>
      ))}
      {scopes.length > shown.length && <span className="chip">+{scopes.length - shown.length}</span>}
    </span>
  );
}

export function ApiKeysPanel({ ownOnly = false }: { ownOnly?: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const viewer = useViewer();
  const canCreate = useCan("apikeys:write");
  const seesOthers = useCan("apikeys:admin") && !ownOnly;
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKeyDto | null>(null);

  const keys = useQuery(trpc.apiKeys.list.queryOptions({ teamId: team.id }));
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey({ teamId: team.id }) });
        setRevoking(null);
      },
    }),
  );
  const rows = (keys.data ?? []).filter((k) => !ownOnly || k.owner.id === viewer.id);
  const columns = seesOthers ? 8 : 7;
  const canRevoke = (k: ApiKeyDto) => !k.revokedAt && (k.owner.id === viewer.id || seesOthers);

  return (
    <div className="stack">
      <div className="row">
        <p className="muted" style={{ flex: "1 1 280px" }}>
          {seesOthers
            ? `Every API key in ${team.name}. A key acts as its owner with at most its scopes, and stops working when its owner leaves the team.`
            : `Keys you created in ${team.name}. A key acts as you, with at most its scopes.`}
        </p>
        {canCreate && (
          <Button variant="primary" onClick={() => setCreating(true)}>
            <Icon name="plus" />
            Create API key
          </Button>
        )}
      </div>

      {keys.isSuccess && rows.length === 0 ? (
        <section className="card">
          <EmptyState icon="key" title="No API keys yet">
            <p>API keys let scripts, CI jobs and other services call Maestro&apos;s API as you, with only the scopes you pick.</p>
          </EmptyState>
        </section>
      ) : (
        <TableFrame label="API keys" stack>
          <thead>
            <tr>
              <th>Name</th>
              <th>Scopes</th>
              {seesOthers && <th>Owner</th>}
              <th>Created</th>
              <th>Last used</th>
              <th>Expires</th>
              <th>Status</th>
              <ActionsHeaderCell />
            </tr>
          </thead>
          <tbody>
            <QueryStateRows query={keys} colSpan={columns} noun="keys" />
            {rows.map((k) => (
              <tr key={k.id} className={k.revokedAt ? "row-muted" : undefined}>
                <td className="cell-title">
                  <div className="cell-primary">{k.name}</div>
                  <code className="cell-sub">{k.prefix}…</code>
                </td>
                <td data-label="Scopes">
                  <ScopeChips scopes={k.scopes} />
                </td>
                {seesOthers && <td className="nowrap" data-label="Owner">{k.owner.id === viewer.id ? "You" : k.owner.email}</td>}
                <td className="nowrap" data-label="Created">
                  <Time iso={k.createdAt} relative />
                </td>
                <td className="nowrap" data-label="Last used">{k.lastUsedAt ? <Time iso={k.lastUsedAt} relative /> : <span className="faint">Never</span>}</td>
                <td className="nowrap" data-label="Expires">{k.expiresAt ? <Time iso={k.expiresAt} /> : <span className="faint">Never</span>}</td>
                <td data-label="Status">
                  <KeyStatus apiKey={k} />
                </td>
                <td className="cell-actions">
                  {canRevoke(k) && (
                    <Button size="sm" variant="ghost" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                      Revoke
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </TableFrame>
      )}

      <CreateApiKeyDialog open={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this API key?"
        confirmLabel="Revoke key"
        pending={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        onConfirm={() => revoking && revoke.mutate({ teamId: team.id, apiKeyId: revoking.id })}
        onClose={() => {
          revoke.reset();
          setRevoking(null);
        }}
      >
        <strong>{revoking?.name}</strong> (<code>{revoking?.prefix}…</code>) stops working at once for anything that uses it. This
        cannot be undone.
      </ConfirmDialog>
    </div>
  );
}
