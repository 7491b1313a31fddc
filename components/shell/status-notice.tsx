import type { ReactNode } from "react";
import { LinkButton } from "@/components/ui/button";
import { Icon, type IconName } from "@/components/ui/icons";

const DANGER_ICON = { background: "var(--danger-soft)", color: "var(--danger)" };
const DANGER_CODE = { color: "var(--danger)" };

/**
 * The body of a status page (403, 404, errors): icon, status line, headline, explanation and
 * the way out, by default back to the dashboard. A "danger" notice is announced as an alert.
 */
export function StatusNotice({
  icon,
  code,
  title,
  tone,
  children,
  actions = (
    <LinkButton href="/" variant="primary">
      Back to the dashboard
    </LinkButton>
  ),
}: {
  icon: IconName;
  code: string;
  title: string;
  tone?: "danger";
  children: ReactNode;
  actions?: ReactNode;
}) {
  const danger = tone === "danger";
  return (
    <div className="status-page" role={danger ? "alert" : undefined}>
      <div className="empty-state-icon" style={danger ? DANGER_ICON : undefined}>
        <Icon name={icon} size={22} />
      </div>
      <p className="status-code" style={danger ? DANGER_CODE : undefined}>
        {code}
      </p>
      <h1 className="status-title">{title}</h1>
      {children}
      <div className="status-actions">{actions}</div>
    </div>
  );
}
