/**
 * Where to go after signing in. Only paths on this origin are accepted, so a crafted
 * link cannot bounce a fresh session to another site (`//evil.example`, `/\evil`).
 */
export function safeCallbackPath(value: string | string[] | undefined | null, fallback = "/"): string {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return fallback;
  let path = raw;
  try {
    // next-auth hands back absolute URLs; keep only same-origin ones (checked in the browser).
    if (/^https?:\/\//i.test(raw)) {
      if (typeof window === "undefined") return fallback;
      const url = new URL(raw);
      if (url.origin !== window.location.origin) return fallback;
      path = url.pathname + url.search + url.hash;
    }
  } catch {
    return fallback;
  }
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return fallback;
  if (path === "/login" || path.startsWith("/login?") || path.startsWith("/api/")) return fallback;
  return path;
}
