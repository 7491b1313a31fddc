import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createContextFromHeaders } from "@/server/api/context";
import { limitRequestBody } from "@/server/api/body-limit";

async function handler(req: Request) {
  const limited = await limitRequestBody(req);
  if (limited instanceof Response) return limited;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: limited,
    router: appRouter,
    createContext: () => createContextFromHeaders(req.headers),
  });
}

export { handler as GET, handler as POST };
