import { can, type Scope } from "@/server/shared/rbac";
import { SCOPE_DESCRIPTIONS } from "@/server/shared/scope-labels";
import { Badge } from "@/components/ui/badge";
import { Icon } from "@/components/ui/icons";
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
          <p>This page shows no sample data. When the area ships, you will be able to:</p>
          <ul>
            {area.capabilities.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <p style={{ marginTop: 16 }}>The permissions it will use, and whether your role in this team has them:</p>
          <ul className="chip-list" style={{ listStyle: "none", padding: 0, justifyContent: "center", marginTop: 8 }}>
            {area.scopes.map((scope) => {
              const granted = can(scopes, scope);
              return (
                <li key={scope} title={SCOPE_DESCRIPTIONS[scope]}>
                  <Badge tone={granted ? "success" : "neutral"}>
                    <Icon name={granted ? "check" : "lock"} size={12} />
                    {scope}
                    <span className="visually-hidden">{granted ? " (you have it)" : " (not in your role)"}</span>
                  </Badge>
                </li>
              );
            })}
          </ul>
        </EmptyState>
      </section>
    </>
  );
}
