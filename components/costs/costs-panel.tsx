"use client";
// The Costs page: what the team's model calls cost over a period, where it went (by
// provider, model, operation, person, team), the calls themselves, and exports.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { UsageSummaryRowDto } from "@/server/shared/usage";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam, useTeamChoices } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Icon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";
import { numericCell, QueryStateRows, TableFrame, TableMessage } from "@/components/ui/table";
import { downloadText } from "@/components/lib/download";
import { formatCompact, formatInt, formatMs, formatRatio, formatUsd } from "@/components/lib/units";
import { CostsCharts } from "./costs-charts";
import { customRange, isoDate, lastDay, PERIOD_LABELS, PERIODS, presetRange, type PeriodName, type Range } from "./period";
import { RecordsTable } from "./records-table";
import { ReportDialog } from "./report-dialog";
import styles from "./costs.module.css";

function PeriodPicker({ range, onChange }: { range: Range; onChange: (range: Range) => void }) {
  const [custom, setCustom] = useState(range.period === "custom");
  const [from, setFrom] = useState(isoDate(range.from));
  const [to, setTo] = useState(lastDay(range.to));
  const [problem, setProblem] = useState<string | null>(null);

  function pick(period: PeriodName) {
    setProblem(null);
    if (period === "custom") {
      setCustom(true);
      setFrom(isoDate(range.from));
      setTo(lastDay(range.to));
      return;
    }
    setCustom(false);
    onChange(presetRange(period));
  }

  function apply() {
    const next = customRange(from, to);
    if (typeof next === "string") return setProblem(next);
    setProblem(null);
    onChange(next);
  }

  const active: PeriodName = custom ? "custom" : range.period;
  return (
    <div className="stack" style={{ gap: 8 }}>
      <div className={styles.periodBar}>
        <div className={styles.segments} role="group" aria-label="Period">
          {PERIODS.map((p) => (
            <button key={p} type="button" aria-pressed={active === p} onClick={() => pick(p)}>
              {PERIOD_LABELS[p]}
            </button>
          ))}
        </div>
        {custom && (
          <form
            className={styles.custom}
            onSubmit={(e) => {
              e.preventDefault();
              apply();
            }}
          >
            <div className="field">
              <label className="field-label" htmlFor="costs-from">
                From (UTC)
              </label>
              <input id="costs-from" className="input" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
            </div>
            <div className="field">
              <label className="field-label" htmlFor="costs-to">
                To (UTC, included)
              </label>
              <input id="costs-to" className="input" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
            </div>
            <Button type="submit">Apply</Button>
          </form>
        )}
      </div>
      {problem && <Alert>{problem}</Alert>}
    </div>
  );
}

function Stat({ label, value, note, testId }: { label: string; value: string; note?: string; testId: string }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value" data-testid={testId}>
        {value}
      </div>
      {note && <div className="stat-note">{note}</div>}
    </div>
  );
}

function Totals({ range }: { range: Range }) {
  const trpc = useTRPC();
  const team = useTeam();
  const totals = useQuery(trpc.usage.totals.queryOptions({ teamId: team.id, from: range.from, to: range.to }));
  if (totals.isError) return <Alert title="Totals could not be loaded">{errorMessage(totals.error)}</Alert>;
  const t = totals.data;
  const dash = "…";
  return (
    <div className="stat-grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(140px, 1fr))" }} aria-busy={totals.isPending}>
      <Stat label="Spend" testId="costs-total" value={t ? formatUsd(t.costUsd) : dash} note={t && t.calls ? `${formatUsd(t.costUsd / t.calls)} per call` : undefined} />
      <Stat label="Calls" testId="costs-calls" value={t ? formatInt(t.calls) : dash} />
      <Stat label="Tokens" testId="costs-tokens" value={t ? formatCompact(t.inputTokens + t.outputTokens) : dash} note={t ? `${formatCompact(t.inputTokens)} in · ${formatCompact(t.outputTokens)} out` : undefined} />
      <Stat label="Cache hit rate" testId="costs-cache-rate" value={t ? formatRatio(t.cacheHitRate) : dash} note={t ? `${formatInt(t.cacheHits)} hits` : undefined} />
      <Stat label="Errors" testId="costs-errors" value={t ? formatInt(t.errors) : dash} note={t && t.calls ? `${formatRatio(t.errors / t.calls)} of calls` : undefined} />
      <Stat label="p95 latency" testId="costs-p95" value={t ? formatMs(t.p95LatencyMs) : dash} note={t ? `avg ${formatMs(t.avgLatencyMs)}` : undefined} />
    </div>
  );
}

function SummaryTable({ range, groupBy, title, first }: { range: Range; groupBy: "user" | "operation"; title: string; first: string }) {
  const trpc = useTRPC();
  const team = useTeam();
  const summary = useQuery(trpc.usage.summary.queryOptions({ teamId: team.id, from: range.from, to: range.to, groupBy }));
  const rows: UsageSummaryRowDto[] = (summary.data ?? []).slice(0, 10);
  return (
    <Card title={title} className="card-flush">
      <TableFrame label={title}>
        <thead>
          <tr>
            <th>{first}</th>
            <th className={numericCell}>Calls</th>
            <th className={numericCell}>Tokens</th>
            <th className={numericCell}>Spend</th>
          </tr>
        </thead>
        <tbody data-testid={`costs-top-${groupBy}`}>
          <QueryStateRows query={summary} colSpan={4} noun={title.toLowerCase()} />
          {summary.isSuccess && rows.length === 0 && <TableMessage colSpan={4}>No calls in this period.</TableMessage>}
          {rows.map((r) => (
            <tr key={r.key}>
              <td style={{ overflowWrap: "anywhere" }}>{r.label || <span className="faint">(none)</span>}</td>
              <td className={numericCell}>{formatInt(r.calls)}</td>
              <td className={numericCell}>{formatCompact(r.inputTokens + r.outputTokens)}</td>
              <td className={numericCell}>{formatUsd(r.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </TableFrame>
    </Card>
  );
}

function ByTeam({ range }: { range: Range }) {
  const trpc = useTRPC();
  const team = useTeam();
  const teams = useQuery(trpc.usage.byTeam.queryOptions({ from: range.from, to: range.to }));
  const rows = teams.data ?? [];
  const total = rows.reduce((sum, r) => sum + r.costUsd, 0);
  return (
    <Card title="Spend by team" className="card-flush">
      <TableFrame label="Spend by team">
        <thead>
          <tr>
            <th>Team</th>
            <th className={numericCell}>Calls</th>
            <th className={numericCell}>Tokens</th>
            <th className={numericCell}>Spend</th>
            <th className={numericCell}>Share</th>
          </tr>
        </thead>
        <tbody>
          <QueryStateRows query={teams} colSpan={5} noun="teams" />
          {rows.map((r) => (
            <tr key={r.teamId}>
              <td>
                {r.teamName}
                {r.teamId === team.id && <span className="faint"> (selected)</span>}
              </td>
              <td className={numericCell}>{formatInt(r.calls)}</td>
              <td className={numericCell}>{formatCompact(r.inputTokens + r.outputTokens)}</td>
              <td className={numericCell}>{formatUsd(r.costUsd)}</td>
              <td className={numericCell}>{total > 0 ? formatRatio(r.costUsd / total) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </TableFrame>
    </Card>
  );
}

export function CostsPanel({ initialRange }: { initialRange: Range }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const teams = useTeamChoices();
  const [range, setRange] = useState<Range>(initialRange);
  const [reportOpen, setReportOpen] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);

  async function exportCsv() {
    setExporting(true);
    setExportError(null);
    try {
      const csv = await queryClient.fetchQuery({ ...trpc.usage.exportCsv.queryOptions({ teamId: team.id, from: range.from, to: range.to }), staleTime: 0 });
      downloadText(`maestro-usage-${team.slug}-${isoDate(range.from)}-to-${lastDay(range.to)}.csv`, csv, "text/csv");
    } catch (error) {
      setExportError(errorMessage(error));
    } finally {
      setExporting(false);
    }
  }

  function refresh() {
    if (range.period !== "custom") setRange(presetRange(range.period));
    void queryClient.invalidateQueries({ queryKey: trpc.usage.pathKey() });
  }

  return (
    <div className="stack-lg">
      <PageHeader
        title="Costs"
        description={`What ${team.name}'s model calls cost, from the price catalog: every gateway call is recorded with its tokens, cost, latency and outcome.`}
        actions={
          <>
            <Button onClick={refresh} aria-label="Refresh costs">
              <Icon name="refresh" />
              Refresh
            </Button>
            <Button onClick={() => void exportCsv()} pending={exporting}>
              <Icon name="download" />
              Export CSV
            </Button>
            <Button onClick={() => setReportOpen(true)}>
              <Icon name="report" />
              Report (Markdown)
            </Button>
          </>
        }
      />
      <div className="stack" style={{ gap: 6 }}>
        <PeriodPicker range={range} onChange={setRange} />
        <span className={styles.rangeNote}>
          {isoDate(range.from)} {range.from.slice(11, 16)} → {isoDate(range.to)} {range.to.slice(11, 16)} UTC, {range.bucket === "hour" ? "hourly" : "daily"} bars
        </span>
      </div>
      {exportError && <Alert title="The export failed">{exportError}</Alert>}

      <Totals range={range} />
      <CostsCharts range={range} />
      <div className="grid-2">
        <SummaryTable range={range} groupBy="user" title="Top users" first="User" />
        <SummaryTable range={range} groupBy="operation" title="Top operations" first="Operation" />
      </div>
      {teams.length > 1 && <ByTeam range={range} />}
      <RecordsTable key={`${range.from}|${range.to}`} range={range} />
      <ReportDialog open={reportOpen} onClose={() => setReportOpen(false)} />
    </div>
  );
}
