"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { TeamDto } from "@/server/shared/dto";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Icon } from "@/components/ui/icons";
import { ActionsHeaderCell, QueryStateRows, TableFrame } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { CreateTeamDialog, RenameTeamDialog } from "./team-dialogs";

export function TeamsPanel() {
  const trpc = useTRPC();
  const current = useTeam();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<TeamDto | null>(null);

  return (
    <div className="stack">
      <div className="row">
        <p className="muted" style={{ flex: "1 1 280px" }}>
          The teams you administer. Each team has its own members, roles, API keys and audit log.
        </p>
        <Button variant="primary" onClick={() => setCreating(true)}>
          <Icon name="plus" />
          Create team
        </Button>
      </div>
      <TableFrame label="Teams" stack>
        <thead>
          <tr>
            <th>Team</th>
            <th>Slug</th>
            <th>Members</th>
            <th>Created</th>
            <ActionsHeaderCell />
          </tr>
        </thead>
        <tbody>
          <QueryStateRows query={teams} colSpan={5} noun="teams" />
          {teams.data?.map((t) => (
            <tr key={t.id}>
              <td className="cell-title">
                <span className="row" style={{ gap: 6 }}>
                  <span className="cell-primary">{t.name}</span>
                  {t.id === current.id && <Badge tone="accent">Selected</Badge>}
                </span>
              </td>
              <td data-label="Slug">
                <code className="chip">{t.slug}</code>
              </td>
              <td data-label="Members">{t.memberCount}</td>
              <td className="nowrap" data-label="Created">
                <Time iso={t.createdAt} />
              </td>
              <td className="cell-actions">
                <Button size="sm" variant="ghost" onClick={() => setRenaming(t)} aria-label={`Rename ${t.name}`}>
                  Rename
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </TableFrame>
      <CreateTeamDialog open={creating} onClose={() => setCreating(false)} />
      <RenameTeamDialog team={renaming} onClose={() => setRenaming(null)} />
    </div>
  );
}
