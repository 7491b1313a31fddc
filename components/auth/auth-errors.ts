// next-auth reports some failures as codes rather than sentences.
const NEXT_AUTH_CODES: Record<string, string> = {
  CredentialsSignin: "The e-mail or password is not correct.",
  OAuthSignin: "The sign-in provider could not be reached. Try again.",
  OAuthCallback: "The sign-in provider returned an error. Try again.",
  OAuthAccountNotLinked: "This e-mail is already linked to another sign-in method.",
  AccessDenied: "Access was denied.",
  SessionRequired: "Sign in to continue.",
  Configuration: "Sign-in is misconfigured on the server. Ask your administrator.",
};

export function messageForAuthError(code: string): string {
  return NEXT_AUTH_CODES[code] ?? (code.includes(" ") ? code : "Sign-in failed. Try again.");
}
