"use client";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { useSignOut } from "@/components/account/use-sign-out";
import { StandalonePage } from "./standalone-page";

/** Someone whose last membership was removed: nothing to show until an admin adds them again. */
export function NoTeamNotice({ email }: { email: string }) {
  const { signOut, pending } = useSignOut();
  return (
    <StandalonePage>
      <EmptyState
        icon="users"
        title="You are not in any team"
        actions={
          <Button onClick={signOut} pending={pending}>
            Sign out
          </Button>
        }
      >
        <p>
          You are signed in as <strong>{email}</strong>, but no team includes you any more. Ask an admin to add you to a team, then
          reload this page.
        </p>
      </EmptyState>
    </StandalonePage>
  );
}
