"use client";
// Next.js announces client-side navigations through a hidden live region it gives
// role="alert". That makes every page report an (empty) alert, so assistive tech and
// tests that look for "the alert" find two. Keep the region and its assertive
// announcements, but as role="status", leaving role="alert" to real errors.
import { useEffect } from "react";

function demoteAnnouncer() {
  const region = document.querySelector("next-route-announcer")?.shadowRoot?.firstElementChild;
  if (region?.getAttribute("role") === "alert") {
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "assertive");
  }
}

export function RouteAnnouncerRole() {
  useEffect(() => {
    demoteAnnouncer();
    // Next (re)creates the announcer after mount; watch for it.
    const observer = new MutationObserver(demoteAnnouncer);
    observer.observe(document.body, { childList: true });
    return () => observer.disconnect();
  }, []);
  return null;
}
