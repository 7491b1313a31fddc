/** Set by proxy.ts on page requests: the path and query the visitor asked for. */
export const REQUEST_PATH_HEADER = "x-maestro-request-path";
