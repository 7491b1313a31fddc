// next-auth configuration: e-mail + password always; GitHub and a generic OIDC
// provider switch on when their variables are set. Sessions are JWTs that point at a
// server-side Session row (sid), which is what makes idle timeout, absolute lifetime
// and "sign out everywhere" enforceable.
import type { AuthOptions, User } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import type { Provider } from "next-auth/providers/index";
import { env } from "../env.ts";
import { db } from "../db/client.ts";
import { isDomainError } from "../errors.ts";
import { authenticateWithPassword } from "./login.ts";
import { authPolicyFromEnv } from "./policy.ts";
import { authSecret } from "./secret.ts";
import { revokeSession } from "./sessions.ts";
import { signInWithOAuth } from "./oauth.ts";
import { loadMemberships } from "./principal.ts";
import { CLIENT_IP_HEADER } from "../shared/http-headers.ts";


type HeaderBag = Record<string, string | string[] | undefined> | Headers | undefined;
function header(headers: HeaderBag, name: string): string | null {
  if (!headers) return null;
  if (headers instanceof Headers) return headers.get(name);
  const v = headers[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

interface MaestroUser extends User {
  sessionId?: string;
}

function oauthProviders(): Provider[] {
  const e = env();
  const providers: Provider[] = [];
  if (e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET) {
    providers.push(GitHubProvider({ clientId: e.GITHUB_CLIENT_ID, clientSecret: e.GITHUB_CLIENT_SECRET }));
  }
  if (e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET) {
    providers.push({
      id: "oidc",
      name: e.OIDC_NAME,
      type: "oauth",
      wellKnown: `${e.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      profile: (p: { sub: string; email?: string; name?: string }) => ({ id: p.sub, email: p.email, name: p.name }),
    });
  }
  return providers;
}

/** Names and ids of the OAuth providers in use, for the login page's buttons. */
export function oauthProviderList(): { id: string; name: string }[] {
  return oauthProviders().map((p) => ({ id: p.id, name: p.name }));
}

export function getAuthOptions(): AuthOptions {
  const policy = authPolicyFromEnv();
  const maxAge = Math.floor(policy.sessionMaxAgeMs / 1000);
  return {
    secret: authSecret(),
    session: { strategy: "jwt", maxAge },
    jwt: { maxAge },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "E-mail and password",
        credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          if (!credentials?.email || !credentials.password) throw new Error("Enter your e-mail and password.");
          try {
            const result = await authenticateWithPassword(await db(), policy, {
              email: credentials.email,
              password: credentials.password,
              ip: header(req?.headers, CLIENT_IP_HEADER),
              userAgent: header(req?.headers, "user-agent"),
            });
            return { id: result.userId, email: result.email, name: result.name, sessionId: result.sessionId } satisfies MaestroUser;
          } catch (error) {
            // next-auth passes an authorize() error's message to the login form.
            if (isDomainError(error)) throw new Error(error.message);
            throw error;
          }
        },
      }),
      ...oauthProviders(),
    ],
    callbacks: {
      async signIn({ user, account }) {
        if (!account || account.type === "credentials") return true;
        const outcome = await signInWithOAuth(await db(), policy, {
          provider: account.provider,
          providerAccountId: account.providerAccountId,
          email: user.email ?? null,
          name: user.name ?? null,
        });
        if (!outcome.ok) return `/login?error=${encodeURIComponent(outcome.message)}`;
        (user as MaestroUser).id = outcome.userId;
        (user as MaestroUser).sessionId = outcome.sessionId;
        return true;
      },
      async jwt({ token, user }) {
        if (user) {
          const u = user as MaestroUser;
          token.uid = u.id;
          token.sid = u.sessionId;
          token.memberships = (await loadMemberships(await db(), u.id)).map(({ teamId, teamSlug, role }) => ({ teamId, teamSlug, role }));
        }
        return token;
      },
      async session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.uid }, memberships: token.memberships ?? [] };
      },
    },
    events: {
      async signOut({ token }) {
        if (token?.sid) await revokeSession(await db(), token.sid as string);
      },
    },
  };
}
