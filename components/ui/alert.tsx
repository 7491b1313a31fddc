import type { ReactNode } from "react";
import { cx } from "./cx";
import { Icon, type IconName } from "./icons";

type Tone = "danger" | "warning" | "info" | "success";

const ICONS: Record<Tone, IconName> = { danger: "alert", warning: "alert", info: "activity", success: "check" };

/** Errors use role="alert" so screen readers announce them; the rest are polite status messages. */
export function Alert({ tone = "danger", title, children, className }: { tone?: Tone; title?: string; children?: ReactNode; className?: string }) {
  return (
    <div className={cx("alert", `alert-${tone}`, className)} role={tone === "danger" ? "alert" : "status"}>
      <Icon name={ICONS[tone]} className="alert-icon" />
      <div>
        {title && <p className="alert-title">{title}</p>}
        {children}
      </div>
    </div>
  );
}
