// Plain-language sentences for audit actions. Unknown actions still read sensibly: the
// raw action code is always shown beside the sentence.
import type { AuditEntryDto, JsonValue } from "@/server/shared/dto";
import type { IconName } from "@/components/ui/icons";

function field(value: JsonValue | null, key: string): string | null {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const v = value[key];
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
  }
  return null;
}

type Describe = (before: JsonValue | null, after: JsonValue | null) => string;

const SENTENCES: Record<string, Describe> = {
  "auth.login.succeeded": () => "signed in",
  "auth.login.failed": () => "failed to sign in",
  "auth.signout.everywhere": () => "signed out of every session",
  "user.create": (_b, a) => `created the account ${field(a, "email") ?? ""}`.trim(),
  "user.deactivate": () => "deactivated an account",
  "user.reactivate": () => "reactivated an account",
  "user.password.reset": () => "reset a password",
  "user.password.change": () => "changed their password",
  "membership.create": (_b, a) => `added ${field(a, "email") ?? "someone"} as ${field(a, "role") ?? "a member"}`,
  "membership.role.update": (b, a) => `changed a role from ${field(b, "role") ?? "?"} to ${field(a, "role") ?? "?"}`,
  "membership.delete": (b) => `removed ${field(b, "email") ?? "a member"} from the team`,
  "team.create": (_b, a) => `created the team ${field(a, "name") ?? ""}`.trim(),
  "team.rename": (b, a) => `renamed the team${field(b, "name") ? ` from “${field(b, "name")}”` : ""} to “${field(a, "name") ?? "?"}”`,
  "apikey.create": (_b, a) => `created the API key “${field(a, "name") ?? "?"}”`,
  "apikey.revoke": (b) => `revoked the API key “${field(b, "name") ?? "?"}”`,
};

export function describeAudit(entry: AuditEntryDto): string {
  const sentence = SENTENCES[entry.action]?.(entry.before, entry.after);
  return sentence ?? entry.action.replaceAll(".", " ");
}

export function actorName(entry: AuditEntryDto): string {
  return entry.actorLabel ?? (entry.actorUserId ? "A user" : "System");
}

const ICONS: Record<string, IconName> = { auth: "lock", user: "user", membership: "users", team: "team", apikey: "key" };

export function auditIcon(action: string): IconName {
  return ICONS[action.split(".")[0] ?? ""] ?? "activity";
}

/** Prefixes offered in the audit log's action filter. */
export const ACTION_PREFIXES = ["auth.", "user.", "membership.", "team.", "apikey."];
