"use client";
import { useState } from "react";
import { Menu } from "@/components/ui/menu";
import { RoleBadge } from "@/components/ui/role-badge";
import { Icon } from "@/components/ui/icons";
import { useSignOut } from "@/components/account/use-sign-out";
import { SignOutEverywhereDialog } from "@/components/account/sign-out-everywhere";
import { useTeam, useViewer } from "./shell-context";

export function initials(viewer: { name: string | null; email: string }) {
  const words = viewer.name?.trim().split(/\s+/).filter(Boolean) ?? [];
  if (!words.length) return (viewer.email[0] ?? "?").toUpperCase();
  return ((words[0]?.[0] ?? "") + (words.length > 1 ? (words[words.length - 1]?.[0] ?? "") : "")).toUpperCase();
}

export function UserMenu() {
  const viewer = useViewer();
  const team = useTeam();
  const { signOut } = useSignOut();
  const [confirmEverywhere, setConfirmEverywhere] = useState(false);

  return (
    <>
      <Menu
        label={`Account menu for ${viewer.email}`}
        triggerClassName="menu-trigger"
        width={264}
        trigger={
          <>
            <span className="avatar" aria-hidden="true">
              {initials(viewer)}
            </span>
            <span className="menu-trigger-email">{viewer.email}</span>
            <Icon name="chevronDown" className="hide-narrow faint" />
          </>
        }
        header={
          <>
            {viewer.name && <div className="cell-primary">{viewer.name}</div>}
            <div className="menu-header-email">{viewer.email}</div>
            <div className="menu-header-meta">
              <RoleBadge role={team.role} />
              <span>in {team.name}</span>
            </div>
          </>
        }
        entries={[
          { kind: "link", label: "Account", icon: "user", href: "/account" },
          { kind: "separator" },
          { label: "Sign out", icon: "logout", onSelect: signOut },
          { label: "Sign out everywhere", icon: "lock", danger: true, onSelect: () => setConfirmEverywhere(true) },
        ]}
      />
      <SignOutEverywhereDialog open={confirmEverywhere} onClose={() => setConfirmEverywhere(false)} />
    </>
  );
}
