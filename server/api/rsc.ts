// Server components reach the API through this caller, with the request's own session.
import "server-only";
import { cache, createElement, type ReactNode } from "react";
import { headers } from "next/headers";
import { dehydrate, HydrationBoundary, QueryClient, type FetchQueryOptions, type QueryKey } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { createContextFromHeaders } from "./context.ts";
import { appRouter, createCaller } from "./root.ts";

export const serverContext = cache(async () => createContextFromHeaders(await headers()));

export const serverCaller = cache(async () => createCaller(await serverContext()));

/** The signed-in person for this page request, or null. */
export async function currentPrincipal() {
  return (await serverContext()).principal;
}

// One query client per request; what pages prefetch into it is handed to the browser's
// React Query cache by <HydrateClient>, so client components render with data at once.
const requestQueryClient = cache(() => new QueryClient({ defaultOptions: { queries: { staleTime: 15_000 } } }));

export const serverTrpc = createTRPCOptionsProxy({ router: appRouter, ctx: serverContext, queryClient: requestQueryClient });

/** Awaits a query into the request's cache; a failure is left for the client to show. */
export async function prefetch<TData, TError, TKey extends QueryKey>(options: FetchQueryOptions<TData, TError, TData, TKey>) {
  await requestQueryClient().prefetchQuery(options);
}

export function HydrateClient({ children }: { children: ReactNode }) {
  return createElement(HydrationBoundary, { state: dehydrate(requestQueryClient()) }, children);
}
