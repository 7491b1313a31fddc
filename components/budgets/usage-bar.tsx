// A budget's period so far: spend (and held reservations) against the limit, the alert
// thresholds as tick marks, and where the spend is heading by the end of the period.
import type { BudgetStatusDto } from "@/server/shared/budgets";
import { formatUsd } from "@/components/lib/units";
import styles from "./budgets.module.css";

const clamp = (value: number) => Math.max(0, Math.min(100, value));

export function UsageBar({ budget }: { budget: BudgetStatusDto }) {
  const limit = budget.limitUsd;
  const spentPct = clamp((budget.spentUsd / limit) * 100);
  const reservedPct = clamp(((budget.spentUsd + budget.reservedUsd) / limit) * 100) - spentPct;
  const forecastOver = budget.forecastUsd > limit;
  const forecastPct = clamp((budget.forecastUsd / limit) * 100);
  const over = budget.spentUsd - limit;

  return (
    <div className={styles.usage}>
      <div
        className={styles.bar}
        data-state={budget.state}
        data-enabled={budget.enabled}
        role="meter"
        aria-label={`${budget.name} spend`}
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={Math.min(budget.spentUsd, limit)}
        aria-valuetext={`${formatUsd(budget.spentUsd)} of ${formatUsd(limit)} (${budget.percent}%)`}
      >
        <span className={styles.fill} style={{ width: `${spentPct}%` }} />
        {reservedPct > 0 && <span className={styles.reserved} style={{ left: `${spentPct}%`, width: `${reservedPct}%` }} title={`${formatUsd(budget.reservedUsd)} reserved by calls in flight`} />}
        {budget.thresholds
          .filter((t) => t < 100)
          .map((t) => (
            <span key={t} className={styles.tick} style={{ left: `${t}%` }} data-crossed={budget.crossed.includes(t)} title={`${t}% alert${budget.crossed.includes(t) ? " (crossed)" : ""}`}>
              <span className={styles.tickLabel}>{t}%</span>
            </span>
          ))}
        {budget.forecastUsd > 0 && (
          <span
            className={styles.forecast}
            style={{ left: `${forecastPct}%` }}
            data-over={forecastOver}
            title={`Forecast for the end of the period: ${formatUsd(budget.forecastUsd)}${forecastOver ? " (over the limit)" : ""}`}
          />
        )}
      </div>
      <div className={styles.figures}>
        <span>
          <strong data-testid={`budget-spent-${budget.name}`}>{formatUsd(budget.spentUsd)}</strong> of {formatUsd(limit)} ({budget.percent}%)
        </span>
        {budget.reservedUsd > 0 && <span>{formatUsd(budget.reservedUsd)} reserved</span>}
        {over >= 0 ? (
          <span className={styles.over}>{over > 0 ? `${formatUsd(over)} over` : "Limit reached"}</span>
        ) : (
          <span>{formatUsd(-over)} left</span>
        )}
      </div>
    </div>
  );
}
