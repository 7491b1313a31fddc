"use client";
// A small action menu (button + list of menuitems). The list is portalled to <body> and
// placed from the trigger's rectangle, so neither a scrolling table nor an ancestor
// that creates a containing block (the topbar's backdrop-filter) can clip or shift it.
import Link from "next/link";
import { createPortal } from "react-dom";
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { Icon, type IconName } from "./icons";
import { cx } from "./cx";

export type MenuEntry =
  | { kind?: "action"; label: string; icon?: IconName; onSelect: () => void; danger?: boolean; disabled?: boolean }
  | { kind: "link"; label: string; icon?: IconName; href: string }
  | { kind: "separator" };

const POPOVER_GAP = 6;

export function Menu({
  label,
  trigger,
  triggerClassName = "icon-button",
  header,
  entries,
  width = 240,
}: {
  /** Accessible name of the trigger button. */
  label: string;
  trigger: ReactNode;
  triggerClassName?: string;
  header?: ReactNode;
  entries: MenuEntry[];
  width?: number;
}) {
  const [open, setOpen] = useState(false);
  const [position, setPosition] = useState<{ top: number; left: number } | null>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const menuId = useId();

  const close = useCallback((refocus: boolean) => {
    setOpen(false);
    if (refocus) triggerRef.current?.focus();
  }, []);

  useLayoutEffect(() => {
    if (!open || !triggerRef.current) return;
    const rect = triggerRef.current.getBoundingClientRect();
    const left = Math.max(8, Math.min(rect.right - width, window.innerWidth - width - 8));
    setPosition({ top: rect.bottom + POPOVER_GAP, left });
    // preventScroll: the list is still off-screen until the new position renders.
    listRef.current?.querySelector<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')?.focus({ preventScroll: true });
  }, [open, width]);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!listRef.current?.contains(target) && !triggerRef.current?.contains(target)) close(false);
    };
    const onViewportChange = () => close(false);
    document.addEventListener("pointerdown", onPointer);
    window.addEventListener("resize", onViewportChange);
    window.addEventListener("scroll", onViewportChange, true);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      window.removeEventListener("resize", onViewportChange);
      window.removeEventListener("scroll", onViewportChange, true);
    };
  }, [open, close]);

  const onKeyDown = (event: KeyboardEvent) => {
    const items = [...(listRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === "Escape") {
      event.preventDefault();
      close(true);
    } else if (event.key === "Tab") {
      close(false);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      items[(index + step + items.length) % items.length]?.focus();
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      items[event.key === "Home" ? 0 : items.length - 1]?.focus();
    }
  };

  const popover = open && (
    <div
      ref={listRef}
      id={menuId}
      role="menu"
      aria-label={label}
      className="menu-popover"
      style={{ position: "fixed", width, top: position?.top ?? -9999, left: position?.left ?? -9999, right: "auto" }}
      onKeyDown={onKeyDown}
    >
      {header && <div className="menu-header">{header}</div>}
      {entries.map((entry, i) => {
        if (entry.kind === "separator") return <div key={i} className="menu-separator" role="separator" />;
        const content = (
          <>
            {entry.icon && <Icon name={entry.icon} />}
            {entry.label}
          </>
        );
        if (entry.kind === "link") {
          return (
            <Link key={i} href={entry.href} role="menuitem" tabIndex={-1} className="menu-item" onClick={() => close(false)}>
              {content}
            </Link>
          );
        }
        return (
          <button
            key={i}
            type="button"
            role="menuitem"
            tabIndex={-1}
            className={cx("menu-item", entry.danger && "menu-item-danger")}
            aria-disabled={entry.disabled || undefined}
            disabled={entry.disabled}
            onClick={() => {
              close(true);
              entry.onSelect();
            }}
          >
            {content}
          </button>
        );
      })}
    </div>
  );

  return (
    <div className="menu">
      <button
        ref={triggerRef}
        type="button"
        className={triggerClassName}
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        {trigger}
      </button>
      {popover && createPortal(popover, document.body)}
    </div>
  );
}
