"use client";
// The daily or monthly usage report as Markdown (with the budgets' status), to copy into
// a ticket or chat, or to download.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { SelectField, TextField } from "@/components/ui/field";
import { Icon } from "@/components/ui/icons";
import { CopyButton } from "@/components/ui/secret-reveal";
import { downloadText } from "@/components/lib/download";
import styles from "./costs.module.css";

type ReportPeriod = "daily" | "monthly";

function ReportBody() {
  const trpc = useTRPC();
  const team = useTeam();
  const [period, setPeriod] = useState<ReportPeriod>("monthly");
  const [day, setDay] = useState(() => new Date().toISOString().slice(0, 10));
  const [month, setMonth] = useState(() => new Date().toISOString().slice(0, 7));
  const at = period === "daily" ? day : month ? `${month}-01` : "";
  const report = useQuery({ ...trpc.usage.report.queryOptions({ teamId: team.id, period, ...(at ? { at } : {}) }), staleTime: 0 });
  const name = `maestro-${team.slug}-${period}-${period === "daily" ? day : month}.md`;

  return (
    <div className="stack">
      <div className="form-grid">
        <SelectField label="Report" value={period} onChange={(e) => setPeriod(e.target.value as ReportPeriod)}>
          <option value="daily">Daily</option>
          <option value="monthly">Monthly</option>
        </SelectField>
        {period === "daily" ? (
          <TextField label="Day (UTC)" type="date" value={day} onChange={(e) => setDay(e.target.value)} />
        ) : (
          <TextField label="Month (UTC)" type="month" value={month} onChange={(e) => setMonth(e.target.value)} />
        )}
      </div>
      {report.isError && <Alert title="The report could not be made">{errorMessage(report.error)}</Alert>}
      {report.isPending && <p className="muted">Preparing the report…</p>}
      {report.data !== undefined && (
        <>
          <pre className={`json ${styles.report}`} data-testid="costs-report">
            {report.data}
          </pre>
          <div className="row" style={{ justifyContent: "flex-end" }}>
            <CopyButton text={report.data} label="Copy Markdown" />
            <Button size="sm" onClick={() => downloadText(name, report.data, "text/markdown")}>
              <Icon name="download" />
              Download .md
            </Button>
          </div>
        </>
      )}
    </div>
  );
}

export function ReportDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} size="lg" title="Usage report" description="Spend, calls and tokens by provider, model and operation, with each budget's status.">
      <ReportBody />
    </Dialog>
  );
}
