"use client";
import { ROLES, ROLE_LABELS, type Role } from "@/server/shared/rbac";
import type { TeamMemberDto } from "@/server/shared/dto";
import { Badge } from "@/components/ui/badge";
import { Icon } from "@/components/ui/icons";
import { Menu, type MenuEntry } from "@/components/ui/menu";
import { Time } from "@/components/ui/time";
import type { MemberAction } from "./member-action-dialog";

export function MemberRow({
  member,
  isSelf,
  rolePending,
  onRoleChange,
  onAction,
  onReactivate,
}: {
  member: TeamMemberDto;
  isSelf: boolean;
  rolePending: boolean;
  onRoleChange: (role: Role) => void;
  onAction: (action: MemberAction) => void;
  onReactivate: () => void;
}) {
  const entries: MenuEntry[] = [
    { label: "Reset password", icon: "key", onSelect: () => onAction({ kind: "reset", member }) },
    ...(isSelf
      ? []
      : member.isActive
        ? [{ label: "Deactivate account", icon: "lock" as const, onSelect: () => onAction({ kind: "deactivate", member }) }]
        : [{ label: "Reactivate account", icon: "check" as const, onSelect: onReactivate }]),
    { kind: "separator" },
    { label: "Remove from team", icon: "trash", danger: true, onSelect: () => onAction({ kind: "remove", member }) },
  ];

  return (
    <tr className={member.isActive ? undefined : "row-muted"}>
      <td className="cell-title">
        {member.name && <div className="cell-primary">{member.name}</div>}
        <div className={member.name ? "cell-sub" : "cell-primary"}>{member.email}</div>
      </td>
      <td data-label="Role">
        <select
          className="input select input-sm"
          style={{ width: 130 }}
          aria-label={`Access level for ${member.email}`}
          value={member.role}
          disabled={rolePending}
          onChange={(e) => onRoleChange(e.target.value as Role)}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
      </td>
      <td data-label="Status">
        <span className="row" style={{ gap: 4 }}>
          {member.isActive ? <Badge tone="success">Active</Badge> : <Badge tone="danger">Deactivated</Badge>}
          {isSelf && <Badge tone="accent">You</Badge>}
        </span>
      </td>
      <td className="nowrap" data-label="Last sign-in">{member.lastLoginAt ? <Time iso={member.lastLoginAt} relative /> : <span className="faint">Never</span>}</td>
      <td className="nowrap" data-label="Added">
        <Time iso={member.createdAt} />
      </td>
      <td className="cell-actions">
        <Menu label={`Actions for ${member.email}`} trigger={<Icon name="more" />} entries={entries} width={220} />
      </td>
    </tr>
  );
}
