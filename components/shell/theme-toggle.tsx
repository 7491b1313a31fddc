"use client";
import { Icon } from "@/components/ui/icons";
import { THEME_COOKIE, parseTheme, writePreferenceCookie, type Theme } from "./preferences";

function effectiveTheme(): Theme {
  const chosen = parseTheme(document.documentElement.dataset.theme);
  if (chosen) return chosen;
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

/** Flips light/dark; the cookie lets the server render the same theme on the next request. */
export function ThemeToggle() {
  return (
    <button
      type="button"
      className="icon-button"
      aria-label="Toggle light or dark theme"
      title="Toggle light or dark theme"
      onClick={() => {
        const next: Theme = effectiveTheme() === "dark" ? "light" : "dark";
        document.documentElement.dataset.theme = next;
        writePreferenceCookie(THEME_COOKIE, next);
      }}
    >
      <Icon name="moon" className="theme-icon-moon" />
      <Icon name="sun" className="theme-icon-sun" />
    </button>
  );
}
