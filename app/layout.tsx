import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { cookies } from "next/headers";
import { ApiProvider } from "@/components/providers/trpc";
import { THEME_COOKIE, parseTheme } from "@/components/shell/preferences";
import { RouteAnnouncerRole } from "@/components/shell/route-announcer-role";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Maestro", template: "%s · Maestro" },
  description: "Self-hosted control plane for AI agents: workflows, provider gateway, budgets, self-healing operations.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f6f7f9" },
    { media: "(prefers-color-scheme: dark)", color: "#0c0e12" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The theme is on <html> in the first byte, so there is no flash of the other theme.
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme ?? undefined}>
      <body>
        <ApiProvider>{children}</ApiProvider>
        <RouteAnnouncerRole />
      </body>
    </html>
  );
}
