// The dashboard's areas and the scope each one needs: the sidebar hides what the
// selected team's role cannot open, and the 403 page names the missing scope.
import type { Scope } from "@/server/shared/rbac";
import type { IconName } from "@/components/ui/icons";

export interface NavItem {
  href: string;
  label: string;
  icon: IconName;
  scope: Scope;
  /** Areas that arrive in later releases are marked in the sidebar. */
  upcoming?: boolean;
}

export interface NavSection {
  title: string;
  items: NavItem[];
}

/** Opening anything under /admin needs this scope in the selected team. */
export const ADMIN_SCOPE: Scope = "users:admin";

export const NAV_SECTIONS: NavSection[] = [
  { title: "Overview", items: [{ href: "/", label: "Dashboard", icon: "dashboard", scope: "team:read" }] },
  {
    title: "Orchestrate",
    items: [
      { href: "/workflows", label: "Workflows", icon: "workflow", scope: "workflows:read" },
      { href: "/runs", label: "Runs", icon: "runs", scope: "runs:read" },
      { href: "/agents", label: "Agents", icon: "agents", scope: "agents:read" },
      { href: "/mcp", label: "MCP servers", icon: "tool", scope: "tools:read" },
    ],
  },
  {
    title: "AI gateway",
    items: [
      // Viewers may open the Playground (read-only); sending needs gateway:call.
      { href: "/playground", label: "Playground", icon: "playground", scope: "providers:read" },
      { href: "/providers", label: "Providers", icon: "providers", scope: "providers:read" },
      { href: "/models", label: "Models & prices", icon: "models", scope: "providers:read" },
    ],
  },
  {
    title: "Operate",
    items: [
      { href: "/costs", label: "Costs", icon: "costs", scope: "usage:read" },
      { href: "/budgets", label: "Budgets", icon: "budgets", scope: "budgets:read" },
      { href: "/nodes", label: "Nodes", icon: "server", scope: "nodes:read" },
      { href: "/healing", label: "Healing", icon: "healing", scope: "healing:read", upcoming: true },
    ],
  },
  { title: "Manage", items: [{ href: "/admin", label: "Admin", icon: "admin", scope: ADMIN_SCOPE }] },
];

const ALL_ITEMS = NAV_SECTIONS.flatMap((s) => s.items);

export function isActivePath(pathname: string, href: string) {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/** The area a path belongs to (longest matching prefix). */
export function navItemFor(pathname: string): NavItem | undefined {
  return ALL_ITEMS.filter((item) => isActivePath(pathname, item.href)).sort((a, b) => b.href.length - a.href.length)[0];
}
