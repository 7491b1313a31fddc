"use client";
// Tabs as the ARIA pattern has them: arrow keys move between tabs, the panel is labelled by its tab.
import { useId, useRef, type KeyboardEvent, type ReactNode } from "react";
import styles from "./runs.module.css";

export interface TabSpec<T extends string> {
  id: T;
  label: ReactNode;
}

export function Tabs<T extends string>({ tabs, active, onChange, label, children }: { tabs: readonly TabSpec<T>[]; active: T; onChange: (id: T) => void; label: string; children: ReactNode }) {
  const base = useId();
  const refs = useRef(new Map<T, HTMLButtonElement>());
  function onKeyDown(event: KeyboardEvent) {
    const index = tabs.findIndex((t) => t.id === active);
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step && event.key !== "Home" && event.key !== "End") return;
    event.preventDefault();
    const next = event.key === "Home" ? tabs[0]! : event.key === "End" ? tabs[tabs.length - 1]! : tabs[(index + step + tabs.length) % tabs.length]!;
    onChange(next.id);
    refs.current.get(next.id)?.focus();
  }
  return (
    <div className={styles.tabs}>
      <div role="tablist" aria-label={label} className={styles.tabList} onKeyDown={onKeyDown}>
        {tabs.map((tab) => (
          <button
            key={tab.id}
            ref={(el) => {
              if (el) refs.current.set(tab.id, el);
            }}
            type="button"
            role="tab"
            id={`${base}-${tab.id}`}
            aria-selected={tab.id === active}
            aria-controls={`${base}-panel`}
            tabIndex={tab.id === active ? 0 : -1}
            className={styles.tab}
            onClick={() => onChange(tab.id)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-${active}`} className={styles.tabPanel} tabIndex={0}>
        {children}
      </div>
    </div>
  );
}
