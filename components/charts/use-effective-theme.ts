"use client";
// The theme the page is showing right now: the `data-theme` the toggle (and the
// `maestro-theme` cookie, on the server) set on <html>, else the system preference.
import { useSyncExternalStore } from "react";
import { parseTheme, type Theme } from "@/components/shell/preferences";

const DARK_QUERY = "(prefers-color-scheme: dark)";

function read(): Theme {
  return parseTheme(document.documentElement.dataset.theme) ?? (window.matchMedia(DARK_QUERY).matches ? "dark" : "light");
}

function subscribe(onChange: () => void) {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  const media = window.matchMedia(DARK_QUERY);
  media.addEventListener("change", onChange);
  return () => {
    observer.disconnect();
    media.removeEventListener("change", onChange);
  };
}

export function useEffectiveTheme(): Theme {
  return useSyncExternalStore(subscribe, read, () => "light");
}
