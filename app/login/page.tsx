import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentPrincipal } from "@/server/api/rsc";
import { oauthProviderList } from "@/server/auth/options";
import { LoginForm } from "@/components/auth/login-form";
import { messageForAuthError } from "@/components/auth/auth-errors";
import { StandalonePage } from "@/components/shell/standalone-page";
import { safeCallbackPath } from "@/components/lib/safe-callback";

export const metadata: Metadata = { title: "Sign in" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  if (await currentPrincipal()) redirect("/");
  const params = await searchParams;
  const error = typeof params.error === "string" ? messageForAuthError(params.error) : null;

  return (
    <StandalonePage narrow>
      <h1 className="auth-title">Sign in</h1>
      <p className="auth-subtitle">Use the account your Maestro administrator gave you.</p>
      <LoginForm callbackUrl={safeCallbackPath(params.callbackUrl)} initialError={error} providers={oauthProviderList()} />
      <p className="auth-footer">Forgot your password? An admin can reset it for you.</p>
    </StandalonePage>
  );
}
