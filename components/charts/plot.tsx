"use client";
// Plotly charts without react-plotly.js: plotly.js-dist-min is imported in an effect (so
// it never runs on the server and only loads on pages that draw a chart), drawn with
// Plotly.react into a div, resized with its container, recoloured when the theme flips,
// and exported as PNG, SVG, a standalone HTML page, or the data as JSON.
import { useEffect, useRef, useState, type ReactNode } from "react";
import type PlotlyDefault from "plotly.js-dist-min";
import type { Config, Data, Layout } from "plotly.js-dist-min";
import { Button } from "@/components/ui/button";
import { Icon } from "@/components/ui/icons";
import { Spinner } from "@/components/ui/spinner";
import { downloadText, fileSlug } from "@/components/lib/download";
import { useEffectiveTheme } from "./use-effective-theme";
import styles from "./plot.module.css";

export type { Data as PlotData, Layout as PlotLayout } from "plotly.js-dist-min";

type PlotlyModule = typeof PlotlyDefault;

let plotlyPromise: Promise<PlotlyModule> | null = null;

function loadPlotly(): Promise<PlotlyModule> {
  plotlyPromise ??= import("plotly.js-dist-min").then((mod) => ((mod as { default?: PlotlyModule }).default ?? (mod as unknown as PlotlyModule)));
  // A failed load (a deploy replaced the chunk, say) may be retried by the next chart.
  plotlyPromise.catch(() => {
    plotlyPromise = null;
  });
  return plotlyPromise;
}

/** Series colours that read on both the light and the dark surface. */
export const CHART_COLORS = ["#6366f1", "#06b6d4", "#f59e0b", "#10b981", "#ef4444", "#a855f7", "#ec4899", "#84cc16", "#14b8a6", "#f97316"];

// The stylesheet's tokens (globals.css) as concrete colours: Plotly draws SVG attributes,
// which cannot resolve light-dark() custom properties.
const PALETTES = {
  light: { surface: "#ffffff", text: "#151821", muted: "#5b6271", grid: "#e8ebf0", line: "#c9ced8" },
  dark: { surface: "#14171d", text: "#e7e9ee", muted: "#a1a8b6", grid: "#272c37", line: "#384050" },
} as const;

const FONT = 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif';

const CONFIG: Partial<Config> = { displayModeBar: false, displaylogo: false, responsive: false, scrollZoom: false };

type Axis = NonNullable<Layout["xaxis"]>;

function themedLayout(theme: keyof typeof PALETTES, layout: Partial<Layout>, height: number): Partial<Layout> {
  const p = PALETTES[theme];
  const axis = (own: Partial<Axis> | undefined): Partial<Axis> => ({
    gridcolor: p.grid,
    linecolor: p.line,
    zerolinecolor: p.line,
    tickfont: { color: p.muted, size: 11 },
    automargin: true,
    ...own,
  });
  return {
    autosize: true,
    height,
    colorway: CHART_COLORS,
    paper_bgcolor: p.surface,
    plot_bgcolor: p.surface,
    font: { family: FONT, size: 12, color: p.text },
    hoverlabel: { bgcolor: p.surface, bordercolor: p.line, font: { family: FONT, color: p.text } },
    ...layout,
    margin: { l: 48, r: 16, t: 12, b: 40, pad: 4, ...layout.margin },
    legend: { orientation: "h", x: 0, y: -0.18, yanchor: "top", font: { color: p.muted, size: 11 }, bgcolor: "rgba(0,0,0,0)", ...layout.legend },
    xaxis: axis(layout.xaxis),
    yaxis: axis(layout.yaxis),
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The numbers behind each trace, as HTML tables, so an exported page is readable without the picture. */
function dataTables(data: Data[]): string {
  return data
    .map((trace, i) => {
      const t = trace as { name?: string; x?: unknown[]; y?: unknown[]; labels?: unknown[]; values?: unknown[] };
      const keys = t.labels ?? t.x ?? [];
      const values = t.values ?? t.y ?? [];
      if (!Array.isArray(keys) || !Array.isArray(values) || keys.length === 0) return "";
      const rows = keys.map((k, j) => `<tr><th>${escapeHtml(String(k))}</th><td>${escapeHtml(String(values[j] ?? ""))}</td></tr>`).join("");
      return `<h3>${escapeHtml(t.name ?? `Series ${i + 1}`)}</h3><table>${rows}</table>`;
    })
    .join("\n");
}

function htmlPage(title: string, imageUrl: string, data: Data[]) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:${FONT};margin:24px;color:#151821;background:#fff}img{max-width:100%;height:auto;border:1px solid #e1e4ea;border-radius:8px}
table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}th,td{border:1px solid #e1e4ea;padding:4px 10px;text-align:left}td{text-align:right;font-variant-numeric:tabular-nums}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}h3{font-size:14px;margin:16px 0 4px}.meta{color:#5b6271}</style></head>
<body><h1>${escapeHtml(title)}</h1><p class="meta">Exported from Maestro on ${escapeHtml(new Date().toISOString())}</p>
<img src="${imageUrl}" alt="${escapeHtml(title)}">
<h2>Data</h2>
${dataTables(data)}
</body></html>`;
}

export interface PlotProps {
  /** Accessible name of the chart and the base of exported file names. */
  title: string;
  data: Data[];
  layout?: Partial<Layout>;
  height?: number;
  /** When set, the chart is replaced by this message (no data for the period, say). */
  emptyMessage?: ReactNode;
  /** Hides the export buttons. */
  noExport?: boolean;
  testId?: string;
}

export function Plot({ title, data, layout, height = 300, emptyMessage, noExport = false, testId }: PlotProps) {
  const ref = useRef<HTMLDivElement>(null);
  const plotly = useRef<PlotlyModule | null>(null);
  const [status, setStatus] = useState<"loading" | "ready" | "error">("loading");
  const theme = useEffectiveTheme();
  const empty = emptyMessage !== undefined && emptyMessage !== null && emptyMessage !== false;

  useEffect(() => {
    let alive = true;
    loadPlotly().then(
      (mod) => {
        if (!alive) return;
        plotly.current = mod;
        setStatus("ready");
      },
      () => alive && setStatus("error"),
    );
    return () => {
      alive = false;
    };
  }, []);

  // Draw (and redraw on every change of data, layout, size or theme); Plotly.react diffs.
  useEffect(() => {
    const div = ref.current;
    const mod = plotly.current;
    if (status !== "ready" || !div || !mod || empty) return;
    void mod.react(div, data, themedLayout(theme, layout ?? {}, height), CONFIG);
  }, [status, data, layout, height, theme, empty]);

  // Follow the container's width (sidebar toggles, window resizes, cards reflowing).
  useEffect(() => {
    const div = ref.current;
    if (status !== "ready" || !div || empty) return;
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (div.isConnected && plotly.current && div.querySelector(".main-svg")) plotly.current.Plots.resize(div);
      });
    });
    observer.observe(div);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, [status, empty]);

  // Free Plotly's listeners and DOM when the chart goes away.
  useEffect(() => {
    const div = ref.current;
    return () => {
      if (div && plotly.current) plotly.current.purge(div);
    };
  }, []);

  const filename = fileSlug(title);
  const canExport = status === "ready" && !empty && !noExport;

  async function exportImage(format: "png" | "svg") {
    if (!ref.current || !plotly.current) return;
    await plotly.current.downloadImage(ref.current, { format, filename, width: ref.current.clientWidth || 900, height, scale: format === "png" ? 2 : 1 });
  }

  async function exportHtml() {
    if (!ref.current || !plotly.current) return;
    const url = await plotly.current.toImage(ref.current, { format: "svg", width: ref.current.clientWidth || 900, height });
    downloadText(`${filename}.html`, htmlPage(title, url, data), "text/html");
  }

  function exportJson() {
    downloadText(`${filename}.json`, JSON.stringify({ title, exportedAt: new Date().toISOString(), data }, null, 2), "application/json");
  }

  return (
    <figure className={styles.figure} data-testid={testId}>
      {canExport && (
        <div className={styles.toolbar} role="toolbar" aria-label={`Export ${title}`}>
          <Button size="sm" variant="ghost" onClick={() => void exportImage("png")} aria-label={`Download ${title} as PNG`}>
            <Icon name="download" size={13} />
            PNG
          </Button>
          <Button size="sm" variant="ghost" onClick={() => void exportImage("svg")} aria-label={`Download ${title} as SVG`}>
            SVG
          </Button>
          <Button size="sm" variant="ghost" onClick={() => void exportHtml()} aria-label={`Download ${title} as an HTML page`}>
            HTML
          </Button>
          <Button size="sm" variant="ghost" onClick={exportJson} aria-label={`Download the data of ${title} as JSON`}>
            JSON
          </Button>
        </div>
      )}
      <div className={styles.frame} style={{ height }}>
        {empty ? (
          <div className={`${styles.overlay} ${styles.empty}`} data-testid={testId ? `${testId}-empty` : undefined}>
            {emptyMessage}
          </div>
        ) : (
          <>
            <div ref={ref} className={styles.canvas} role="img" aria-label={title} />
            {status === "loading" && (
              <div className={styles.overlay}>
                <Spinner label={`Loading the chart ${title}`} />
              </div>
            )}
            {status === "error" && <div className={styles.overlay}>The chart could not be loaded. Reload the page to try again.</div>}
          </>
        )}
      </div>
    </figure>
  );
}
