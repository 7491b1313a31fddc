"use client";
// A modal on the native <dialog>: the browser provides the focus trap, Escape to close,
// an inert background and the top layer. Content mounts only while open, so each
// opening starts with fresh form state.
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { Button } from "./button";
import { Icon } from "./icons";
import { cx } from "./cx";

type DialogSize = "sm" | "md" | "lg";

export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  footer,
  size = "md",
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  size?: DialogSize;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={cx("dialog", `dialog-${size}`)}
      aria-labelledby={titleId}
      onClose={onClose}
      onClick={(event) => {
        // A click on the backdrop lands on the <dialog> itself, outside the panel.
        if (event.target === event.currentTarget) onClose();
      }}
    >
      {open && (
        <div className="dialog-panel">
          <header className="dialog-header">
            <div>
              <h2 className="dialog-title" id={titleId}>
                {title}
              </h2>
              {description && <div className="dialog-description">{description}</div>}
            </div>
            <button type="button" className="icon-button" aria-label="Close dialog" onClick={onClose}>
              <Icon name="close" />
            </button>
          </header>
          <div className="dialog-body">{children}</div>
          {footer && <footer className="dialog-footer">{footer}</footer>}
        </div>
      )}
    </dialog>
  );
}

/**
 * A dialog whose form, once it succeeds, gives way to what it produced (often a secret shown
 * only once) and a Done button. Closing forgets the result, so the next opening starts with
 * an empty form.
 */
export function ResultDialog<Result>({
  open,
  onClose,
  size,
  title,
  description,
  resultTitle,
  renderForm,
  renderResult,
}: {
  open: boolean;
  onClose: () => void;
  size?: DialogSize;
  title: string;
  /** Shown under the title while the form is. */
  description?: ReactNode;
  resultTitle: string;
  renderForm: (onResult: (result: Result) => void) => ReactNode;
  renderResult: (result: Result) => ReactNode;
}) {
  const [result, setResult] = useState<Result | null>(null);
  const close = () => {
    setResult(null);
    onClose();
  };
  const done = result !== null;

  return (
    <Dialog
      open={open}
      onClose={close}
      size={size}
      title={done ? resultTitle : title}
      description={done ? undefined : description}
      footer={
        done ? (
          <Button variant="primary" onClick={close}>
            Done
          </Button>
        ) : undefined
      }
    >
      {done ? renderResult(result) : renderForm(setResult)}
    </Dialog>
  );
}
