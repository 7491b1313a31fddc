import { env } from "../env.ts";

/**
 * Reads at most MAESTRO_MAX_REQUEST_BYTES of the body. Over the limit the caller gets a
 * 413 with a tRPC-shaped error instead of the server buffering whatever it is sent.
 */
export async function limitRequestBody(req: Request, limit = env().MAESTRO_MAX_REQUEST_BYTES): Promise<Request | Response> {
  if (req.method === "GET" || req.method === "HEAD" || !req.body) return req;
  const tooLarge = () =>
    Response.json(
      {
        error: {
          json: {
            message: `The request is larger than the limit of ${limit} bytes.`,
            code: -32600,
            data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413, domainCode: "PAYLOAD_TOO_LARGE", details: { limitBytes: limit } },
          },
        },
      },
      { status: 413 },
    );
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) return tooLarge();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return tooLarge();
    }
    chunks.push(value);
  }
  return new Request(req.url, { method: req.method, headers: req.headers, body: Buffer.concat(chunks) });
}
