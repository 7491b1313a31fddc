import { workflowJsonSchema } from "@/server/engine/definition/json-schema";

// The definition format as JSON Schema; public, like any published file format.
export function GET() {
  return Response.json(workflowJsonSchema(), { headers: { "cache-control": "public, max-age=3600" } });
}
