// Report logic the shipped templates share. A code step runs alone in the sandbox, with
// nothing to import, so it is shared as source text to splice into a report's code.

/**
 * Report code that pairs each planned sub-task with its result (a map's outputs come in the
 * plan's order) as `const <as>`: the sub-task's id, `fields` (its title unless given), the
 * status, and the result's output under the name `output`.
 */
export function pairSubtasksWithResults(pairing: { results: string; as: string; output: string; fields?: string[] }): string {
  const results = pairing.results;
  return [
    "const subtasks = (input.plan && input.plan.subtasks) || [];",
    `const ${results} = input.${results} || [];`,
    `const ${pairing.as} = subtasks.map((s, index) => ({`,
    "  subtaskId: s.id,",
    ...(pairing.fields ?? ["title: s.title"]).map((field) => `  ${field},`),
    `  status: (${results}[index] && ${results}[index].status) || "skipped",`,
    `  ${pairing.output}: (${results}[index] && ${results}[index].output) || "",`,
    "}));",
  ].join("\n");
}

/** Report code: an expression saying whether the verifier passed `what` (and why not), from `const verdict`. */
export function verdictSentence(what: string): string {
  return `verdict.passed ? "The verifier passed the ${what}." : "The verifier did not pass the ${what}: " + (verdict.reasons || []).join(" ")`;
}
