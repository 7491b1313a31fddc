"use client";
import { useState } from "react";
import { signOut } from "next-auth/react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { errorMessage } from "@/components/lib/api-error";

// next-auth's own redirect goes to NEXTAUTH_URL, which may not be the address the
// browser used; a same-origin navigation always lands on our login page.
async function endBrowserSession() {
  await signOut({ redirect: false });
  window.location.assign("/login");
}

export function useSignOut() {
  const trpc = useTRPC();
  const [signingOut, setSigningOut] = useState(false);
  const everywhere = useMutation(trpc.account.signOutEverywhere.mutationOptions({ onSuccess: endBrowserSession }));
  return {
    signOut: () => {
      setSigningOut(true);
      void endBrowserSession();
    },
    signOutEverywhere: () => everywhere.mutate(),
    pending: signingOut || everywhere.isPending || everywhere.isSuccess,
    error: everywhere.error ? errorMessage(everywhere.error) : null,
  };
}
