import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { Icon } from "@/components/ui/icons";
import { RoleBadge } from "@/components/ui/role-badge";
import { Alert } from "@/components/ui/alert";
import { ChangePasswordForm } from "@/components/account/change-password-form";
import { SignOutEverywhereButton } from "@/components/account/sign-out-everywhere";
import { ApiKeysPanel } from "@/components/api-keys/api-keys-panel";
import { requireTeam } from "../_lib/session";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const { principal, team } = await requireTeam();
  await prefetch(serverTrpc.apiKeys.list.queryOptions({ teamId: team.id }));

  return (
    <>
      <PageHeader title="Account" description="Your profile, password, sessions and API keys." />
      <div className="stack-lg">
        <div className="grid-2">
          <Card
            title={
              <>
                <Icon name="user" /> Profile
              </>
            }
          >
            <dl className="definition-list">
              <dt>E-mail</dt>
              <dd>{principal.email}</dd>
              <dt>Name</dt>
              <dd>{principal.name ?? <span className="faint">Not set</span>}</dd>
              <dt>Teams</dt>
              <dd>
                <ul className="stack" style={{ listStyle: "none", margin: 0, padding: 0, gap: 6 }}>
                  {principal.memberships.map((m) => (
                    <li key={m.teamId} className="row">
                      <span>{m.teamName}</span>
                      <RoleBadge role={m.role} />
                    </li>
                  ))}
                </ul>
              </dd>
            </dl>
            <p className="faint" style={{ marginTop: 14, fontSize: 12.5 }}>
              Your e-mail and roles are managed by your team&apos;s admins.
            </p>
          </Card>
          <Card
            title={
              <>
                <Icon name="lock" /> Sessions
              </>
            }
          >
            <div className="stack">
              <p className="muted">
                Signed in on a shared computer, or lost a device? Signing out everywhere ends every session of yours at once, this one
                included.
              </p>
              <div>
                <SignOutEverywhereButton />
              </div>
            </div>
          </Card>
        </div>

        <section id="change-password" className="card">
          <header className="card-header">
            <h2 className="card-title">
              <Icon name="key" /> Change password
            </h2>
          </header>
          <div className="card-body stack">
            {principal.mustChangePassword && (
              <Alert tone="warning" title="Choose your own password">
                You signed in with a temporary password an admin set for you. Replace it with one only you know.
              </Alert>
            )}
            <ChangePasswordForm />
          </div>
        </section>

        <section id="api-keys">
          <h2 className="section-title">My API keys</h2>
          <HydrateClient>
            <ApiKeysPanel ownOnly />
          </HydrateClient>
        </section>
      </div>
    </>
  );
}
