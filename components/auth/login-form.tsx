"use client";
import { useRef, useState, type FormEvent } from "react";
import { signIn } from "next-auth/react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { messageForAuthError } from "./auth-errors";

export interface OAuthProvider {
  id: string;
  name: string;
}

export function LoginForm({ callbackUrl, initialError, providers }: { callbackUrl: string; initialError: string | null; providers: OAuthProvider[] }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const result = await signIn("credentials", { redirect: false, email, password, callbackUrl });
      if (!result?.ok || result.error) {
        setError(messageForAuthError(result?.error ?? "CredentialsSignin"));
        setPending(false);
        setPassword("");
        passwordRef.current?.focus();
        return;
      }
      // A full navigation: the new session's cookie, a fresh cache, a fresh socket.
      window.location.assign(callbackUrl);
    } catch {
      setError("The server could not be reached. Check your connection and try again.");
      setPending(false);
    }
  }

  return (
    <div className="stack-lg">
      <form className="stack" onSubmit={onSubmit} noValidate={false}>
        {error && <Alert>{error}</Alert>}
        <TextField
          label="E-mail"
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField
          ref={passwordRef}
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <Button type="submit" variant="primary" className="btn-block" pending={pending}>
          Sign in
        </Button>
      </form>
      {providers.length > 0 && (
        <div>
          <div className="auth-divider">or</div>
          <div className="stack">
            {providers.map((p) => (
              <Button key={p.id} className="btn-block" onClick={() => void signIn(p.id, { callbackUrl })}>
                Continue with {p.name}
              </Button>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}
