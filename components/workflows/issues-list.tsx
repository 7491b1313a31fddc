"use client";
// Definition issues grouped by step; with `onSelectStep`, each step's heading is a
// button that selects (and reveals) the faulty step on the canvas.
import type { DefinitionIssue } from "@/server/shared/workflow-definition";
import { Icon } from "@/components/ui/icons";
import { issuesByStep } from "./issues";
import styles from "./workflows.module.css";

export function IssuesList({ issues, onSelectStep }: { issues: readonly DefinitionIssue[]; onSelectStep?: (stepId: string) => void }) {
  const groups = [...issuesByStep(issues)];
  return (
    <ul className={styles.issues} data-testid="definition-issues">
      {groups.map(([stepId, list]) => (
        <li key={stepId || "workflow"} className={styles.issueGroup}>
          <div className={styles.issueStep}>
            <Icon name="alert" />
            {stepId && onSelectStep ? (
              <button type="button" className="link-button" onClick={() => onSelectStep(stepId)} aria-label={`Show step ${stepId}`}>
                Step <code>{stepId}</code>
              </button>
            ) : stepId ? (
              <span>
                Step <code>{stepId}</code>
              </span>
            ) : (
              <span>Workflow</span>
            )}
          </div>
          <ul className={styles.issueMessages}>
            {list.map((issue, i) => (
              <li key={i}>
                {issue.message}
                {issue.path && issue.path.length > 0 && <span className={styles.issuePath}> · {issue.path.join(".")}</span>}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}
