"use client";
// The Costs page's charts: spend over time (stacked by provider, model or operation) and
// the split by model (pie or bar, by spend or by calls).
import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { Plot, type PlotData, type PlotLayout } from "@/components/charts/plot";
import { formatUsd } from "@/components/lib/units";
import type { Range } from "./period";
import styles from "./costs.module.css";

const SPLITS = [
  { value: "provider", label: "Provider" },
  { value: "model", label: "Model" },
  { value: "operation", label: "Operation" },
  { value: "none", label: "Total" },
] as const;
type Split = (typeof SPLITS)[number]["value"];

/** Tick labels that stay readable for fractions of a cent as well as for thousands. */
export function usdTickFormat(max: number) {
  if (max >= 100) return ",.0f";
  if (max >= 1) return ",.2f";
  if (max >= 0.01) return ".4~f";
  return ".6~f";
}

function SpendOverTime({ range }: { range: Range }) {
  const trpc = useTRPC();
  const team = useTeam();
  const [split, setSplit] = useState<Split>("provider");
  const series = useQuery(trpc.usage.timeseries.queryOptions({ teamId: team.id, from: range.from, to: range.to, bucket: range.bucket, splitBy: split }));

  const { data, layout, empty } = useMemo(() => {
    const s = series.data;
    if (!s) return { data: [] as PlotData[], layout: {} as Partial<PlotLayout>, empty: false };
    const x = s.buckets;
    const traces: PlotData[] = s.series.map((line) => ({
      type: "bar",
      name: line.name,
      x,
      y: line.costUsd,
      customdata: line.calls,
      hovertemplate: `%{x|${range.bucket === "hour" ? "%b %d %H:00" : "%b %d"}}<br>${line.name}: $%{y:.6f} · %{customdata} calls<extra></extra>`,
    }));
    const perBucket = x.map((_, i) => s.series.reduce((sum, line) => sum + (line.costUsd[i] ?? 0), 0));
    const max = Math.max(0, ...perBucket);
    const calls = s.series.reduce((sum, line) => sum + line.calls.reduce((a, b) => a + b, 0), 0);
    return {
      data: traces,
      layout: {
        barmode: "stack",
        bargap: 0.15,
        showlegend: s.series.length > 1,
        xaxis: { type: "date" },
        yaxis: { tickprefix: "$", tickformat: usdTickFormat(max), rangemode: "tozero" },
      } as Partial<PlotLayout>,
      empty: max === 0 ? (calls > 0 ? "calls" : "none") : false,
    };
  }, [series.data, range.bucket]);

  return (
    <Card
      title="Spend over time"
      actions={
        <label className="row" style={{ gap: 6, fontSize: 13 }}>
          <span className="muted">Split by</span>
          <select className="input select input-sm" style={{ width: "auto" }} value={split} onChange={(e) => setSplit(e.target.value as Split)} aria-label="Split spend by">
            {SPLITS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      }
    >
      {series.isError ? (
        <Alert title="The spend chart could not be loaded">{errorMessage(series.error)}</Alert>
      ) : (
        <Plot
          title="Spend over time"
          testId="costs-spend-chart"
          data={data}
          layout={layout}
          height={320}
          emptyMessage={
            series.isPending ? "Loading…" : empty === "none" ? (
              "No calls in this period."
            ) : empty === "calls" ? (
              "Calls in this period cost nothing (cache hits or unpriced models)."
            ) : undefined
          }
        />
      )}
    </Card>
  );
}

function ByModel({ range }: { range: Range }) {
  const trpc = useTRPC();
  const team = useTeam();
  const [measure, setMeasure] = useState<"cost" | "calls">("cost");
  const [shape, setShape] = useState<"pie" | "bar">("pie");
  const summary = useQuery(trpc.usage.summary.queryOptions({ teamId: team.id, from: range.from, to: range.to, groupBy: "model" }));

  const rows = (summary.data ?? []).filter((r) => (measure === "cost" ? r.costUsd > 0 : r.calls > 0));
  const values = rows.map((r) => (measure === "cost" ? r.costUsd : r.calls));
  const labels = rows.map((r) => r.label || "(unknown)");
  const data: PlotData[] =
    shape === "pie"
      ? [
          {
            type: "pie",
            labels,
            values,
            hole: 0.55,
            sort: true,
            textinfo: "percent",
            textposition: "inside",
            hovertemplate: measure === "cost" ? "%{label}<br>$%{value:.6f} (%{percent})<extra></extra>" : "%{label}<br>%{value} calls (%{percent})<extra></extra>",
            name: measure === "cost" ? "Spend by model" : "Calls by model",
          },
        ]
      : [
          {
            type: "bar",
            orientation: "h",
            x: values,
            y: labels,
            name: measure === "cost" ? "Spend by model" : "Calls by model",
            hovertemplate: measure === "cost" ? "%{y}: $%{x:.6f}<extra></extra>" : "%{y}: %{x} calls<extra></extra>",
          },
        ];
  const max = Math.max(0, ...values);
  const layout: Partial<PlotLayout> =
    shape === "pie"
      ? { showlegend: true, legend: { orientation: "v", x: 1, y: 0.5, yanchor: "middle", xanchor: "left" }, margin: { l: 8, r: 8, t: 8, b: 8 } }
      : {
          showlegend: false,
          xaxis: measure === "cost" ? { tickprefix: "$", tickformat: usdTickFormat(max), rangemode: "tozero" } : { rangemode: "tozero" },
          yaxis: { autorange: "reversed" },
          margin: { l: 8 },
        };

  return (
    <Card
      title={measure === "cost" ? "Spend by model" : "Calls by model"}
      actions={
        <div className="row" style={{ gap: 6 }}>
          <select className="input select input-sm" style={{ width: "auto" }} value={measure} onChange={(e) => setMeasure(e.target.value as "cost" | "calls")} aria-label="Measure">
            <option value="cost">Spend</option>
            <option value="calls">Calls</option>
          </select>
          <select className="input select input-sm" style={{ width: "auto" }} value={shape} onChange={(e) => setShape(e.target.value as "pie" | "bar")} aria-label="Chart type">
            <option value="pie">Pie</option>
            <option value="bar">Bar</option>
          </select>
        </div>
      }
    >
      {summary.isError ? (
        <Alert title="The model breakdown could not be loaded">{errorMessage(summary.error)}</Alert>
      ) : (
        <Plot
          title={measure === "cost" ? "Spend by model" : "Calls by model"}
          testId="costs-model-chart"
          data={data}
          layout={layout}
          height={320}
          emptyMessage={summary.isPending ? "Loading…" : rows.length === 0 ? (measure === "cost" ? "No spend in this period." : "No calls in this period.") : undefined}
        />
      )}
      {summary.data && rows.length > 0 && measure === "cost" && (
        <p className={styles.rangeNote} style={{ marginTop: 6 }}>
          Top: {labels[0]} at {formatUsd(values[0] ?? 0)}
        </p>
      )}
    </Card>
  );
}

export function CostsCharts({ range }: { range: Range }) {
  return (
    <div className={styles.chartGrid}>
      <SpendOverTime range={range} />
      <ByModel range={range} />
    </div>
  );
}
