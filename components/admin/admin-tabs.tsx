"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { Icon, type IconName } from "@/components/ui/icons";

const TABS: { href: string; label: string; icon: IconName }[] = [
  { href: "/admin/users", label: "Users", icon: "users" },
  { href: "/admin/teams", label: "Teams", icon: "team" },
  { href: "/admin/api-keys", label: "API keys", icon: "key" },
  { href: "/admin/audit", label: "Audit log", icon: "list" },
];

export function AdminTabs() {
  const pathname = usePathname();
  return (
    <nav className="tabs" aria-label="Admin sections">
      {TABS.map((tab) => (
        <Link key={tab.href} href={tab.href} className="tab" aria-current={pathname.startsWith(tab.href) ? "page" : undefined}>
          <Icon name={tab.icon} />
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
