// Cookie names shared by server components (which read them to render the right team
// and theme on the first byte) and client components (which write them).
export const THEME_COOKIE = "maestro-theme";
export const TEAM_COOKIE = "maestro-team";

export const THEMES = ["light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

export function parseTheme(value: string | undefined): Theme | null {
  return value === "light" || value === "dark" ? value : null;
}

const ONE_YEAR_SECONDS = 60 * 60 * 24 * 365;

/** Browser-side: remember a preference for a year, for every path. */
export function writePreferenceCookie(name: string, value: string) {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; SameSite=Lax${secure}`;
}
