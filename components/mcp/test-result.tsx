// What a connection test found: the names of the tools the server lists (their details
// are in the tools panel), or why it could not connect.
import type { McpTestResultDto } from "@/server/shared/mcp";
import { Badge } from "@/components/ui/badge";
import { Icon } from "@/components/ui/icons";
import { formatMs } from "@/components/lib/units";
import styles from "./mcp.module.css";

export function McpTestResult({ result }: { result: McpTestResultDto }) {
  return (
    <div className={styles.testResult} data-testid="mcp-test-result" role="status">
      <div className={styles.testHead}>
        {result.ok ? (
          <Badge tone="success">
            <Icon name="check" size={12} /> Connected
          </Badge>
        ) : (
          <Badge tone="danger">
            <Icon name="alert" size={12} /> Failed
          </Badge>
        )}
        <span className="muted">{formatMs(result.latencyMs)}</span>
        {result.ok && (
          <span className="muted">
            {result.tools.length} tool{result.tools.length === 1 ? "" : "s"} found
          </span>
        )}
      </div>
      {result.error && <div className={styles.testError}>{result.error}</div>}
      {result.ok && result.tools.length > 0 && (
        <span className="chip-list" aria-label="Tools found">
          {result.tools.map((tool) => (
            <code key={tool.qualifiedName} className="chip" title={tool.description || undefined}>
              {tool.name}
            </code>
          ))}
        </span>
      )}
      {result.ok && result.tools.length === 0 && <span className="faint">The server connected but lists no tools.</span>}
    </div>
  );
}
