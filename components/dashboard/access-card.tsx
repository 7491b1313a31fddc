import { ROLE_DESCRIPTIONS, type Role, type Scope } from "@/server/shared/rbac";
import { SCOPE_DESCRIPTIONS } from "@/server/shared/scope-labels";
import { Card } from "@/components/ui/card";
import { Icon } from "@/components/ui/icons";
import { RoleBadge } from "@/components/ui/role-badge";

/** What the viewer's role lets them do in this team, in the words of the permission model. */
export function AccessCard({ role, scopes }: { role: Role; scopes: Scope[] }) {
  return (
    <Card
      title={
        <>
          <Icon name="lock" /> Your access
        </>
      }
      actions={<RoleBadge role={role} />}
    >
      <div className="stack">
        <p className="muted">{ROLE_DESCRIPTIONS[role]}</p>
        <ul className="chip-list" aria-label="Your permissions in this team" style={{ listStyle: "none", margin: 0, padding: 0 }}>
          {scopes.map((scope) => (
            <li key={scope} className="chip" title={SCOPE_DESCRIPTIONS[scope]}>
              {scope}
            </li>
          ))}
        </ul>
      </div>
    </Card>
  );
}
