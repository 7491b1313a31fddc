"use client";
import { usePathname } from "next/navigation";
import { ROLE_LABELS } from "@/server/shared/rbac";
import { SCOPE_DESCRIPTIONS } from "@/server/shared/scope-labels";
import { navItemFor } from "./nav-items";
import { useOptionalTeam } from "./shell-context";
import { StatusNotice } from "./status-notice";

/** The 403 page: what is refused, which permission it needs, and what the person has. */
export function ForbiddenNotice() {
  const pathname = usePathname();
  const team = useOptionalTeam();
  const area = navItemFor(pathname);
  const scope = area && area.href !== "/" ? area.scope : null;

  return (
    <StatusNotice icon="lock" code="403 · FORBIDDEN" title="You don't have access to this page">
      {scope ? (
        <p className="status-body">
          {area!.label} needs the <code className="chip">{scope}</code> permission ({SCOPE_DESCRIPTIONS[scope].toLowerCase()}).
          {team && (
            <>
              {" "}
              Your role in <strong>{team.name}</strong> is <strong>{ROLE_LABELS[team.role]}</strong>, which does not include it.
            </>
          )}
        </p>
      ) : (
        <p className="status-body">Your role does not include the permission this page needs.</p>
      )}
      <p className="status-body">If you need it, ask an admin of the team to change your role{team ? ", or switch to another team above" : ""}.</p>
    </StatusNotice>
  );
}
