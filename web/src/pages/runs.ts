// Page 6: the runs under `descent serve --runs DIR`. Tick runs to overlay one metric of theirs
// (e.g. train loss) on one chart.
import { get, reportError } from "../api";
import { lineChart } from "../plot";
import { el, select } from "../ui";
import type { Page } from "./page";

interface RunEntry {
  name: string;
  version: string;
  has_metrics: boolean;
}
interface Series {
  run: string;
  split: string;
  metric: string;
  step: number[];
  value: number[];
}

function mount(root: HTMLElement): () => void {
  const list = el("div", { class: "run-list", id: "run-list" });
  const chartBox = el("div", { class: "chart-box" });
  const metricSelect = select("Metric ", [], "", () => void draw(), "metric");
  let chart: ReturnType<typeof lineChart> | null = null;
  const loaded = new Map<string, Series[]>(); // "name/version" → its series
  root.append(el("h1", {}, "Runs"), el("p", { class: "lead" }, "Runs in the server's --runs directory. Tick several to compare them."), el("div", { class: "row" }, list, el("div", {}, metricSelect.element, chartBox)));

  async function toggle(run: RunEntry, on: boolean): Promise<void> {
    const key = `${run.name}/${run.version}`;
    if (!on) loaded.delete(key);
    else {
      const q = new URLSearchParams({ name: run.name, version: run.version });
      loaded.set(key, (await get<{ series: Series[] }>(`/api/runs/metrics?${q}`)).series);
    }
    const metrics = new Set<string>();
    for (const series of loaded.values()) for (const s of series) metrics.add(`${s.split}/${s.metric}`);
    const current = metricSelect.input.value;
    metricSelect.input.replaceChildren(...[...metrics].sort().map((m) => el("option", { value: m }, m)));
    if (metrics.has(current)) metricSelect.input.value = current;
    draw();
  }

  // Every ticked run's series of the chosen split/metric, on the union of their steps.
  function draw(): void {
    chart?.destroy();
    chart = null;
    chartBox.replaceChildren();
    const [split, metric] = metricSelect.input.value.split("/");
    const chosen: { label: string; s: Series }[] = [];
    for (const [key, series] of loaded)
      for (const s of series) if (s.split === split && s.metric === metric) chosen.push({ label: `${key} ${s.run}`, s });
    if (chosen.length === 0) return;
    const steps = [...new Set(chosen.flatMap((c) => c.s.step))].sort((a, b) => a - b);
    chart = lineChart(chartBox, `${split} ${metric}`, chosen.map((c) => c.label), { width: 620, height: 320 });
    chart.update(steps, chosen.map((c) => {
      const at = new Map(c.s.step.map((st, i) => [st, c.s.value[i]]));
      return steps.map((st) => at.get(st) ?? null);
    }));
  }

  void (async () => {
    try {
      const runs = await get<RunEntry[]>("/api/runs");
      if (runs.length === 0) list.append(el("p", {}, "No runs yet: `descent train CONFIG` writes them (see docs/runs.md)."));
      for (const run of runs) {
        const box = el("input", { type: "checkbox" });
        box.disabled = !run.has_metrics;
        box.addEventListener("change", () => void toggle(run, box.checked).catch(reportError));
        list.append(el("label", { class: "run" }, box, `${run.name}/${run.version}`));
      }
    } catch (e) {
      reportError(e);
    }
  })();

  return () => chart?.destroy();
}

export const runsPage: Page = { id: "runs", title: "6 Runs", mount };
