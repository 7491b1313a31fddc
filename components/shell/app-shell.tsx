"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { Icon } from "@/components/ui/icons";
import { Sidebar } from "./sidebar";
import { TeamSwitcher } from "./team-switcher";
import { ThemeToggle } from "./theme-toggle";
import { UserMenu } from "./user-menu";
import { useViewer } from "./shell-context";

export function AppShell({ children }: { children: ReactNode }) {
  const [navOpen, setNavOpen] = useState(false);
  const pathname = usePathname();
  const viewer = useViewer();

  // The drawer is for finding a page; once one is chosen it gets out of the way.
  useEffect(() => setNavOpen(false), [pathname]);

  useEffect(() => {
    if (!navOpen) return;
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && setNavOpen(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navOpen]);

  return (
    <div className="shell" data-nav-open={navOpen}>
      <Sidebar onClose={() => setNavOpen(false)} />
      {navOpen && <button type="button" className="sidebar-backdrop" aria-label="Close navigation" onClick={() => setNavOpen(false)} />}
      <div className="main">
        <header className="topbar">
          <button
            type="button"
            className="icon-button menu-button"
            aria-label="Open navigation"
            aria-controls="sidebar"
            aria-expanded={navOpen}
            onClick={() => setNavOpen(true)}
          >
            <Icon name="menu" />
          </button>
          <TeamSwitcher />
          <div className="spacer" />
          <ThemeToggle />
          <UserMenu />
        </header>
        {viewer.mustChangePassword && (
          <div className="banner" role="status">
            <Icon name="alert" />
            <span>You are signed in with a temporary password.</span>
            <Link href="/account#change-password">Choose your own password</Link>
          </div>
        )}
        <main className="content" id="main">
          {children}
        </main>
      </div>
    </div>
  );
}
