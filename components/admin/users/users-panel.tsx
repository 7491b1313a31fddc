"use client";
import { useDeferredValue, useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ROLE_LABELS, can, type Role } from "@/server/shared/rbac";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam, useViewer } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Icon } from "@/components/ui/icons";
import { ActionsHeaderCell, QueryStateRows, TableFrame, TableMessage } from "@/components/ui/table";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { AddUserDialog } from "./add-user-dialog";
import { USERS_PAGE_SIZE } from "./constants";
import { MemberRow } from "./member-row";
import { MemberActionDialog, type MemberAction } from "./member-action-dialog";

export function UsersPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const viewer = useViewer();
  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search.trim());
  // Cursors of the pages visited so far; the last one is the page on screen.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [adding, setAdding] = useState(false);
  const [action, setAction] = useState<MemberAction | null>(null);
  const [selfDemotion, setSelfDemotion] = useState<Role | null>(null);
  const [notice, setNotice] = useState<{ tone: "danger" | "success"; text: string } | null>(null);

  const cursor = cursors[cursors.length - 1];
  const members = useQuery({
    ...trpc.users.list.queryOptions({ teamId: team.id, search: deferredSearch || undefined, cursor, limit: USERS_PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.pathKey() });

  const setRole = useMutation(
    trpc.users.setRole.mutationOptions({
      onSuccess: (member) => {
        setNotice({ tone: "success", text: `${member.email} is now ${ROLE_LABELS[member.role].toLowerCase()}.` });
        return refresh();
      },
      onError: (error) => setNotice({ tone: "danger", text: `Could not change the role: ${errorMessage(error)}` }),
    }),
  );
  const reactivate = useMutation(
    trpc.users.setActive.mutationOptions({
      onSuccess: (member) => {
        setNotice({ tone: "success", text: `${member.email} can sign in again.` });
        return refresh();
      },
      onError: (error) => setNotice({ tone: "danger", text: `Could not reactivate: ${errorMessage(error)}` }),
    }),
  );

  const changeRole = (userId: string, role: Role) => {
    setNotice(null);
    // Taking away your own admin rights locks you out of this page: ask first.
    if (userId === viewer.id && !can(role, "users:admin")) return setSelfDemotion(role);
    setRole.mutate({ teamId: team.id, userId, role });
  };

  const page = cursors.length;
  const items = members.data?.items ?? [];
  const total = members.data?.total ?? 0;
  const first = (page - 1) * USERS_PAGE_SIZE + 1;

  return (
    <div className="stack">
      <div className="toolbar" style={{ marginBottom: 0 }}>
        <div className="field grow">
          <label className="visually-hidden" htmlFor="member-search">
            Search members
          </label>
          <div className="input-with-icon">
            <Icon name="search" />
            <input
              id="member-search"
              className="input"
              type="search"
              placeholder="Search by name or address"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                setCursors([undefined]);
              }}
            />
          </div>
        </div>
        <div className="spacer" />
        <Button variant="primary" onClick={() => setAdding(true)}>
          <Icon name="plus" />
          Add user
        </Button>
      </div>

      {notice && <Alert tone={notice.tone}>{notice.text}</Alert>}

      <TableFrame label="Team members" stack>
        <thead>
          <tr>
            <th>User</th>
            <th>Role</th>
            <th>Status</th>
            <th>Last sign-in</th>
            <th>Added</th>
            <ActionsHeaderCell />
          </tr>
        </thead>
        <tbody>
          <QueryStateRows query={members} colSpan={6} noun="members" />
          {members.isSuccess && items.length === 0 && (
            <TableMessage colSpan={6}>{deferredSearch ? `No member matches “${deferredSearch}”.` : "This team has no members."}</TableMessage>
          )}
          {items.map((member) => (
            <MemberRow
              key={member.id}
              member={member}
              isSelf={member.id === viewer.id}
              rolePending={setRole.isPending && setRole.variables?.userId === member.id}
              onRoleChange={(role) => changeRole(member.id, role)}
              onAction={(a) => {
                setNotice(null);
                setAction(a);
              }}
              onReactivate={() => reactivate.mutate({ teamId: team.id, userId: member.id, isActive: true })}
            />
          ))}
        </tbody>
      </TableFrame>

      <div className="pagination">
        <span aria-live="polite">
          {total > 0 ? `${first}–${first + items.length - 1} of ${total} member${total === 1 ? "" : "s"}` : ""}
        </span>
        <div className="row">
          <Button size="sm" disabled={page === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            <Icon name="chevronLeft" />
            Previous
          </Button>
          <Button
            size="sm"
            disabled={!members.data?.nextCursor || members.isPlaceholderData}
            onClick={() => members.data?.nextCursor && setCursors((c) => [...c, members.data.nextCursor!])}
          >
            Next
            <Icon name="chevronRight" />
          </Button>
        </div>
      </div>

      <AddUserDialog open={adding} onClose={() => setAdding(false)} />
      <MemberActionDialog action={action} isSelf={action?.member.id === viewer.id} onClose={() => setAction(null)} />
      <ConfirmDialog
        open={selfDemotion !== null}
        title="Give up your admin rights?"
        confirmLabel={`Make me ${selfDemotion ? ROLE_LABELS[selfDemotion].toLowerCase() : ""}`}
        onClose={() => setSelfDemotion(null)}
        onConfirm={() => {
          if (selfDemotion) setRole.mutate({ teamId: team.id, userId: viewer.id, role: selfDemotion }, { onSuccess: () => window.location.assign("/") });
          setSelfDemotion(null);
        }}
      >
        You will no longer be able to manage {team.name}: this page and the rest of Admin close for you at once. Another admin can give
        the rights back.
      </ConfirmDialog>
    </div>
  );
}
