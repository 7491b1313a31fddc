"use client";
// Downloads a workflow version as YAML or JSON (the same file `import` reads back).
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { downloadText } from "@/components/lib/download";
import { errorMessage } from "@/components/lib/api-error";

export function useExportWorkflow() {
  const trpc = useTRPC();
  const team = useTeam();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  async function exportWorkflow(workflowId: string, format: "yaml" | "json", version?: number) {
    setPending(true);
    setError(null);
    try {
      const file = await queryClient.fetchQuery({
        ...trpc.workflows.export.queryOptions({ teamId: team.id, workflowId, format, ...(version ? { version } : {}) }),
        staleTime: 0,
      });
      downloadText(file.filename, file.text, file.mimeType);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  }
  return { exportWorkflow, error, pending, clearError: () => setError(null) };
}
