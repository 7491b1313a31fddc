import { ROLE_DESCRIPTIONS, ROLE_LABELS, type Role } from "@/server/shared/rbac";
import { Badge, type BadgeTone } from "./badge";

const TONES: Record<Role, BadgeTone> = { admin: "accent", operator: "success", viewer: "neutral" };

export function RoleBadge({ role }: { role: Role }) {
  return (
    <Badge tone={TONES[role]} title={ROLE_DESCRIPTIONS[role]}>
      {ROLE_LABELS[role]}
    </Badge>
  );
}
