"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useSignOut } from "./use-sign-out";

export function SignOutEverywhereDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { signOutEverywhere, pending, error } = useSignOut();
  return (
    <ConfirmDialog
      open={open}
      title="Sign out everywhere?"
      confirmLabel="Sign out everywhere"
      pending={pending}
      error={error}
      onConfirm={signOutEverywhere}
      onClose={onClose}
    >
      Every session of yours ends, on this device and all others. API keys keep working; revoke them separately if you
      think one leaked.
    </ConfirmDialog>
  );
}

/** The account page's card action. */
export function SignOutEverywhereButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Sign out everywhere
      </Button>
      <SignOutEverywhereDialog open={open} onClose={() => setOpen(false)} />
    </>
  );
}
