// What each upcoming area will do, said plainly. These pages show no sample data:
// until an area ships, its page says what it is for and which permissions will apply.
import type { Scope } from "@/server/shared/rbac";
import type { IconName } from "@/components/ui/icons";

export interface Area {
  href: string;
  title: string;
  icon: IconName;
  summary: string;
  description: string;
  capabilities: string[];
  scopes: Scope[];
}

export const AREAS: Area[] = [
  {
    href: "/healing",
    title: "Healing",
    icon: "healing",
    summary: "Detect trouble and repair it automatically.",
    description:
      "Healing watches the installation and its workers, spots trouble early, and applies a repair strategy before people have to step in.",
    capabilities: [
      "Detection of CPU spikes, memory leaks, memory pressure and stuck processes",
      "Repair strategies per kind of event, with an operator alert when a state is critical",
      "A health score and the history of every event and action taken",
      "Schedules that stretch under load and recover when it passes",
    ],
    scopes: ["healing:read", "healing:write"],
  },
];

export function areaFor(href: string): Area {
  const area = AREAS.find((a) => a.href === href);
  if (!area) throw new Error(`No area is described for ${href}.`);
  return area;
}
