/** Markdown rendering of the results. */
import type { Row, ScenarioResult, Target } from "./_model.js";
import type { Summary } from "./_stats.js";

/** A number with three significant digits (no exponent for everyday sizes). */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString("en-US");
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

/** A ratio as `1.23×`. */
export function ratio(value: number): string {
  return `${fmt(value)}×`;
}

function table(header: readonly string[], align: readonly ("l" | "r")[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  const rule = `|${align.map((a) => (a === "r" ? "--:" : ":--")).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

function latencyCells(s: Summary): string[] {
  return [fmt(s.meanMs), fmt(s.p50Ms), fmt(s.p90Ms), fmt(s.p99Ms), fmt(s.maxMs), fmt(s.opsPerSec)];
}

function resultTable(result: ScenarioResult): string {
  const header = ["contender", "ops", "mean ms", "p50 ms", "p90 ms", "p99 ms", "max ms", "ops/s", ...result.extraColumns];
  const align = header.map((_, i) => (i === 0 ? "l" : "r"));
  const rows = result.rows.map((r) => [
    r.ours ? `**${r.name}**` : r.name,
    r.summary.ops.toLocaleString("en-US"),
    ...latencyCells(r.summary),
    ...result.extraColumns.map((c) => r.extra[c] ?? ""),
  ]);
  return table(header, align, rows);
}

function ratioTable(rows: readonly Row[]): string | undefined {
  const ours = rows.filter((r) => r.ours);
  const others = rows.filter((r) => !r.ours);
  if (ours.length === 0 || others.length === 0) return undefined;
  const header = ["ours ÷ other", "mean", "p50", "p90", "p99", "max", "ops/s"];
  const body: string[][] = [];
  for (const o of ours) {
    for (const x of others) {
      const a = o.summary;
      const b = x.summary;
      body.push([
        ours.length > 1 ? `${o.name} ÷ ${x.name}` : x.name,
        ratio(a.meanMs / b.meanMs),
        ratio(a.p50Ms / b.p50Ms),
        ratio(a.p90Ms / b.p90Ms),
        ratio(a.p99Ms / b.p99Ms),
        ratio(a.maxMs / b.maxMs),
        ratio(a.opsPerSec / b.opsPerSec),
      ]);
    }
  }
  return table(header, ["l", "r", "r", "r", "r", "r", "r"], body);
}

/** How a target reads in a table: "≤ 1.25×", "≤ 50 ms" or "≤ 256 MB". */
export function targetLimit(t: Target): string {
  const op = t.kind === "max" ? "≤" : "≥";
  return t.unit === "×" ? `${op} ${ratio(t.limit)}` : `${op} ${fmt(t.limit)} ${t.unit}`;
}

/** The measured value of a target, in its unit. */
export function targetMeasured(t: Target): string {
  return t.unit === "×" ? ratio(t.measured) : `${fmt(t.measured)} ${t.unit}`;
}

/**
 * `met`, or by how much a target was missed: the factor by which the
 * measured value would have to shrink (an upper bound) or grow (a lower
 * bound) to meet it, so "missed by 2×" means twice over the limit.
 */
export function targetVerdict(t: Target): string {
  if (t.met) return "met";
  if (!Number.isFinite(t.measured) || t.measured <= 0) return "**missed** (not measured)";
  return `**missed** by ${ratio(t.kind === "max" ? t.measured / t.limit : t.limit / t.measured)}`;
}

/** One scenario as a markdown section. */
export function renderScenario(result: ScenarioResult): string {
  const parts = [`## ${result.title} (\`${result.id}\`)`, "", result.setup, "", resultTable(result)];
  const ratios = ratioTable(result.rows);
  if (ratios !== undefined) {
    parts.push("", "Ours ÷ each other contender (latency below 1× and ops/s above 1× favour ours):", "", ratios);
  }
  if (result.targets.length > 0) {
    parts.push(
      "",
      table(
        ["target", "measured", "limit", "verdict"],
        ["l", "r", "r", "l"],
        result.targets.map((t) => [t.label, targetMeasured(t), targetLimit(t), targetVerdict(t)]),
      ),
    );
  }
  for (const c of result.checks) parts.push("", `- check: ${c.label}: ${c.ok ? "ok" : "**FAILED**"} (${c.detail})`);
  parts.push("", `_Scenario time: ${fmt(result.durationMs / 1000)} s._`);
  return parts.join("\n");
}

/** Every target of the run in one table. */
export function renderTargets(results: readonly ScenarioResult[]): string {
  const rows = results.flatMap((r) => r.targets.map((t) => [r.title, t.label, targetMeasured(t), targetLimit(t), targetVerdict(t)]));
  const all = results.flatMap((r) => r.targets);
  const met = all.filter((t) => t.met).length;
  return [
    table(["scenario", "target", "measured", "limit", "verdict"], ["l", "l", "r", "r", "l"], rows),
    "",
    `${met} of ${all.length} targets met. "Missed by k×": the measured value is k times over its upper limit (or under its lower limit).`,
  ].join("\n");
}
