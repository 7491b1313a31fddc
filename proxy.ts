import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_PATH_HEADER } from "./server/shared/http-headers";

// Layouts cannot see which page was requested; this hands the path to them so a
// visitor sent to the login page comes back to where they were going.
export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set(REQUEST_PATH_HEADER, request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ["/((?!api/|_next/|socket.io|icon.svg|favicon.ico).*)"],
};
