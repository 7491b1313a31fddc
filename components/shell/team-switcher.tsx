"use client";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Icon } from "@/components/ui/icons";
import { Spinner } from "@/components/ui/spinner";
import { TEAM_COOKIE, writePreferenceCookie } from "./preferences";
import { useTeam, useTeamChoices } from "./shell-context";

/** Switching writes the cookie and re-renders the server tree for the new team. */
export function TeamSwitcher() {
  const team = useTeam();
  const teams = useTeamChoices();
  const router = useRouter();
  const [pending, startTransition] = useTransition();

  if (teams.length < 2) {
    return (
      <div className="team-switcher" title="Your team">
        <Icon name="team" className="team-switcher-label" />
        <strong className="nowrap">{team.name}</strong>
      </div>
    );
  }

  return (
    <div className="team-switcher">
      <label htmlFor="team-switcher" className="team-switcher-label">
        <Icon name="team" />
        <span className="visually-hidden">Team</span>
      </label>
      <select
        id="team-switcher"
        className="input select"
        value={team.id}
        disabled={pending}
        onChange={(event) => {
          writePreferenceCookie(TEAM_COOKIE, event.target.value);
          startTransition(() => router.refresh());
        }}
      >
        {teams.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      {pending && <Spinner label="Switching team" />}
    </div>
  );
}
