// Server components reach the API through this caller, with the request's own session.
import "server-only";
import { cache } from "react";
import { headers } from "next/headers";
import { createContextFromHeaders } from "./context.ts";
import { createCaller } from "./root.ts";

export const serverContext = cache(async () => createContextFromHeaders(await headers()));

export const serverCaller = cache(async () => createCaller(await serverContext()));

/** The signed-in person for this page request, or null. */
export async function currentPrincipal() {
  return (await serverContext()).principal;
}
