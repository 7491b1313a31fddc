"use client";
// The draft as YAML text. Edits are applied to the graph on request (after a shape check;
// the server's validation then runs on the new draft as on any other change), and the text
// follows the graph while it holds no unapplied edits.
import { useState } from "react";
import type { DefinitionIssue, WorkflowDefinition } from "@/server/shared/workflow-definition";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { textareaInput } from "@/components/ui/field";
import { IssuesList } from "../issues-list";
import { definitionToYaml, yamlToDefinition } from "./yaml-text";
import styles from "./editor.module.css";

export function YamlView({ definition, readOnly, onApply }: { definition: WorkflowDefinition; readOnly: boolean; onApply: (definition: WorkflowDefinition) => void }) {
  const source = definitionToYaml(definition);
  const [text, setText] = useState(source);
  const [base, setBase] = useState(source);
  const [issues, setIssues] = useState<DefinitionIssue[] | null>(null);
  const edited = text !== base;
  // The graph changed while the text held no edits of its own: show the new draft.
  if (source !== base && !edited) {
    setBase(source);
    setText(source);
  }

  function apply() {
    const result = yamlToDefinition(text);
    if (!result.ok) return setIssues(result.issues);
    setIssues(null);
    const next = definitionToYaml(result.definition);
    setBase(next);
    setText(next);
    onApply(result.definition);
  }

  return (
    <div className={styles.yaml}>
      <div className={styles.yamlBar}>
        <p className="muted">{readOnly ? "The definition as YAML (read-only)." : "Edit the definition as YAML, then apply it to the graph. Positions are kept under each step's position."}</p>
        {!readOnly && (
          <div className="row">
            <Button size="sm" disabled={!edited} onClick={() => (setText(source), setBase(source), setIssues(null))}>
              Discard text changes
            </Button>
            <Button size="sm" variant="primary" disabled={!edited} onClick={apply}>
              Apply to the graph
            </Button>
          </div>
        )}
      </div>
      {edited && !issues && <Alert tone="info">The text has changes that are not applied to the graph yet.</Alert>}
      {issues && (
        <Alert title="The text was not applied">
          <IssuesList issues={issues} />
        </Alert>
      )}
      <textarea
        className={`${textareaInput} ${styles.mono} ${styles.yamlText}`}
        aria-label="Definition as YAML"
        value={text}
        readOnly={readOnly}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        data-testid="yaml-text"
      />
    </div>
  );
}
