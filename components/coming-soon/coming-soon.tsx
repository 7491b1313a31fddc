import { can, type Scope } from "@/server/shared/rbac";
import { SCOPE_DESCRIPTIONS } from "@/server/shared/scope-labels";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { LinkButton } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { areaFor } from "./areas";

/** The honest empty state of an area that arrives in a later release. */
export function ComingSoon({ href, scopes }: { href: string; scopes: Scope[] }) {
  const area = areaFor(href);
  return (
    <>
      <PageHeader title={area.title} description={area.description} actions={<Badge tone="accent">Coming in a later release</Badge>} />
      <section className="card">
        <EmptyState
          icon={area.icon}
          title={`${area.title} is not available yet`}
          actions={
            <LinkButton href="/" variant="secondary">
              Back to the dashboard
            </LinkButton>
          }
        >
          <p>Nothing is shown here until it is real. When this area ships, you will be able to:</p>
          <ul>
            {area.capabilities.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <p style={{ marginTop: 16 }}>Permissions it will use, and whether your role in this team has them:</p>
          <ul className="chip-list" style={{ listStyle: "none", padding: 0, justifyContent: "center", marginTop: 8 }}>
            {area.scopes.map((scope) => (
              <li key={scope} className="chip" title={SCOPE_DESCRIPTIONS[scope]}>
                {can(scopes, scope) ? "✓" : "✕"} {scope}
              </li>
            ))}
          </ul>
        </EmptyState>
      </section>
    </>
  );
}
