/** Set by proxy.ts on page requests: the path and query the visitor asked for. */
export const REQUEST_PATH_HEADER = "x-maestro-request-path";

/** Set by server/http.ts from the socket's address; whatever a client sends under this name is overwritten. */
export const CLIENT_IP_HEADER = "x-maestro-client-ip";
