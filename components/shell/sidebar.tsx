"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { can } from "@/server/shared/rbac";
import { Icon } from "@/components/ui/icons";
import { NAV_SECTIONS, isActivePath } from "./nav-items";
import { useTeam } from "./shell-context";

export function Brand() {
  return (
    <>
      <span className="brand-mark" aria-hidden="true">
        M
      </span>
      Maestro
    </>
  );
}

export function Sidebar({ onClose }: { onClose: () => void }) {
  const pathname = usePathname();
  const team = useTeam();
  const sections = NAV_SECTIONS.map((section) => ({
    ...section,
    items: section.items.filter((item) => can(team.scopes, item.scope)),
  })).filter((section) => section.items.length > 0);

  return (
    <aside className="sidebar" id="sidebar">
      <div className="sidebar-inner">
        <div className="sidebar-brand">
          <Link href="/" className="row" style={{ color: "inherit", textDecoration: "none", gap: 10 }}>
            <Brand />
          </Link>
          <button type="button" className="icon-button sidebar-close" aria-label="Close navigation" onClick={onClose}>
            <Icon name="close" />
          </button>
        </div>
        <nav className="sidebar-nav" aria-label="Main">
          {sections.map((section) => (
            <div key={section.title}>
              <div className="nav-section">{section.title}</div>
              <ul className="nav-list">
                {section.items.map((item) => (
                  <li key={item.href}>
                    <Link href={item.href} className="nav-link" aria-current={isActivePath(pathname, item.href) ? "page" : undefined}>
                      <Icon name={item.icon} />
                      {item.label}
                      {item.upcoming && <span className="nav-tag">Soon</span>}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <div className="sidebar-footer">Self-hosted control plane for AI agents</div>
      </div>
    </aside>
  );
}
