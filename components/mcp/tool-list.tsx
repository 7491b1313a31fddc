// A server's tools as agents and workflows see them: the name they are addressed by, what
// the tool says it does, its parameters at a glance and the full input schema on demand.
import type { McpToolDto } from "@/server/shared/mcp";
import styles from "./mcp.module.css";

interface SchemaProperties {
  properties?: Record<string, unknown>;
  required?: unknown;
}

function parameterNames(schema: Record<string, unknown>): { name: string; required: boolean }[] {
  const { properties, required } = schema as SchemaProperties;
  const needed = Array.isArray(required) ? required : [];
  return Object.keys(properties ?? {}).map((name) => ({ name, required: needed.includes(name) }));
}

export function ToolList({ tools, testId }: { tools: McpToolDto[]; testId?: string }) {
  return (
    <ul className={styles.toolList} data-testid={testId}>
      {tools.map((tool) => {
        const params = parameterNames(tool.inputSchema);
        return (
          <li key={tool.qualifiedName} className={styles.tool}>
            <span className={styles.toolName}>{tool.qualifiedName}</span>
            {tool.description ? <span className={styles.toolDescription}>{tool.description}</span> : <span className="faint">No description.</span>}
            {params.length > 0 && (
              <span className={styles.params} aria-label="Parameters">
                {params.map((p) => (
                  <code key={p.name} className="chip" title={p.required ? "Required" : "Optional"}>
                    {p.name}
                    {p.required ? "" : "?"}
                  </code>
                ))}
              </span>
            )}
            <details className={styles.schema}>
              <summary>Input schema</summary>
              <pre className="json">{JSON.stringify(tool.inputSchema, null, 2)}</pre>
            </details>
          </li>
        );
      })}
    </ul>
  );
}
