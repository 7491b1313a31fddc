"use client";
// The browser's tRPC client: React Query + batched HTTP with superjson, cookies sent
// automatically. Components call `useTRPC()` and use its queryOptions/mutationOptions.
// Streaming procedures (gateway.chatStream returns an async generator) go through the
// streaming batch link, which sends JSON lines as they are produced; everything else
// stays on the plain batch link, whose responses are complete JSON documents.
import { useState, type ReactNode } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, splitLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/root";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

const API_URL = "/api/trpc";
/** Procedures whose result is an async iterable, streamed chunk by chunk. */
const STREAMED_PATHS: ReadonlySet<string> = new Set(["gateway.chatStream"]);

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 15_000, retry: (count, error) => count < 2 && !/UNAUTHORIZED|FORBIDDEN|NOT_FOUND/.test(String(error)) },
    },
  });
}

function makeTrpcClient() {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => STREAMED_PATHS.has(op.path),
        true: httpBatchStreamLink({ url: API_URL, transformer: superjson }),
        false: httpBatchLink({ url: API_URL, transformer: superjson }),
      }),
    ],
  });
}

export function ApiProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(makeTrpcClient);
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
