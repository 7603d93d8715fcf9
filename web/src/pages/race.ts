// Page 2: the optimizer race. Contours of a 2-D test problem, a start set by clicking or
// dragging, several optimizers given by their specs (name:key=value,..., the one format of the
// CLI and configs), trajectories animated step by step and the loss against the step.
import { drag } from "d3-drag";
import { get, post, reportError } from "../api";
import { COLORS, drawContours, frame, lineChart, type Frame } from "../plot";
import { button, el, numberInput, select } from "../ui";
import type { Page } from "./page";

interface Problem {
  name: string;
  formula: string;
  range: [number, number, number, number];
  start: [number, number];
  minima: [number, number, number][];
}
interface Grid extends Problem {
  n: number;
  values: number[];
}
interface Race {
  function: string;
  start: [number, number];
  runs: { optimizer: string; x: number[]; y: number[]; loss: number[]; evals: number[] }[]; // per step
}

const DEFAULT_SPECS = ["sgd:lr=0.001", "sgd:lr=0.001,momentum=0.9", "rmsprop:lr=0.01", "adam:lr=0.2"];
const SIZE = 480;

function mount(root: HTMLElement): () => void {
  let problems: Problem[] = [];
  let fn = "rosenbrock";
  let start: [number, number] = [0, 0];
  let steps = 400;
  let animation = 0;
  let f: Frame | null = null;
  let chart: ReturnType<typeof lineChart> | null = null;

  const plotBox = el("div", { class: "plot-box" });
  const chartBox = el("div", { class: "chart-box" });
  const specList = el("div", { class: "spec-list" });
  const formula = el("p", { class: "formula" });
  const functionSelect = select("Function ", [], fn, (v) => {
    fn = v;
    void loadProblem();
  }, "function");
  const stepsInput = numberInput("Steps ", steps, { min: 1, max: 5000, step: 1, id: "steps" }, (v) => {
    steps = Math.round(v);
  });

  function addSpec(spec: string): void {
    const input = el("input", { type: "text", class: "spec", value: spec, size: "34" });
    const row = el("div", { class: "spec-row" }, input, button("×", () => row.remove()));
    specList.append(row);
  }
  DEFAULT_SPECS.forEach(addSpec);

  root.append(
    el("h1", {}, "Optimizer race"),
    el("p", { class: "lead" }, "Click or drag on the contours to set the start. Each optimizer is a spec name:key=value,... (sgd, adam, rmsprop, adagrad, nadam, lbfgs, newton, ...)."),
    el("div", { class: "row" }, el("div", {}, plotBox, formula), el("div", { class: "controls" }, functionSelect.element, stepsInput.element, el("h2", {}, "Optimizers"), specList, el("div", { class: "buttons" }, button("Add optimizer", () => addSpec("adam:lr=0.01")), button("Race", () => void race(), "race")), chartBox)),
  );

  async function loadProblem(): Promise<void> {
    try {
      const grid = await post<Grid>("/api/problem/grid", { function: fn, n: 90 });
      start = [...grid.start];
      formula.textContent = `${grid.name}: ${grid.formula}`;
      plotBox.replaceChildren();
      const [x0, x1, y0, y1] = grid.range;
      f = frame(plotBox, SIZE, SIZE, [x0, x1], [y0, y1], "race-plot");
      drawContours(f, grid.values, grid.n, grid.range);
      for (const m of grid.minima) f.layer.append("path").attr("class", "minimum").attr("d", `M${f.x(m[0]) - 5},${f.y(m[1])}h10M${f.x(m[0])},${f.y(m[1]) - 5}v10`).attr("stroke", "#000").attr("stroke-width", 2);
      f.layer.append("g").attr("class", "trajectories");
      const marker = f.layer.append("circle").attr("class", "start").attr("r", 7).attr("fill", "#fff").attr("stroke", "#000").attr("stroke-width", 2);
      const place = () => marker.attr("cx", f!.x(start[0])).attr("cy", f!.y(start[1]));
      place();
      const fr = f;
      fr.svg.on("click", (event: MouseEvent) => {
        const rect = fr.svg.node()!.getBoundingClientRect();
        start = [fr.x.invert(event.clientX - rect.left), fr.y.invert(event.clientY - rect.top)];
        place();
        void race();
      });
      marker.call(
        drag<SVGCircleElement, unknown>()
          .on("drag", (event) => {
            start = [fr.x.invert(event.x), fr.y.invert(event.y)];
            place();
          })
          .on("end", () => void race()),
      );
      await race();
    } catch (e) {
      reportError(e);
    }
  }

  async function race(): Promise<void> {
    const specs = [...specList.querySelectorAll<HTMLInputElement>("input.spec")].map((i) => i.value.trim()).filter((s) => s);
    if (!f || specs.length === 0) return;
    try {
      const result = await post<Race>("/api/race", { function: fn, optimizers: specs, steps, start });
      animate(result);
    } catch (e) {
      reportError(e);
    }
  }

  // Reveals the trajectories and loss curves a few steps per frame (the whole race is computed
  // by the server at once; only the drawing is animated).
  function animate(result: Race): void {
    cancelAnimationFrame(animation);
    const fr = f!;
    const layer = fr.layer.select<SVGGElement>("g.trajectories");
    layer.selectAll("*").remove();
    chart?.destroy();
    chartBox.replaceChildren();
    chart = lineChart(chartBox, "loss (log scale)", result.runs.map((r) => r.optimizer), { log: true, width: 460, height: 260 });
    const paths = result.runs.map((r, i) =>
      layer.append("path").attr("class", "trajectory").attr("data-optimizer", r.optimizer).attr("fill", "none").attr("stroke", COLORS[i % COLORS.length]).attr("stroke-width", 2),
    );
    const heads = result.runs.map((_, i) => layer.append("circle").attr("r", 4).attr("fill", COLORS[i % COLORS.length]));
    const total = Math.max(...result.runs.map((r) => r.x.length));
    const perFrame = Math.max(1, Math.ceil(total / 120));
    let shown = 0;
    const tick = () => {
      shown = Math.min(total, shown + perFrame);
      result.runs.forEach((r, i) => {
        const n = Math.min(shown, r.x.length);
        // Points far outside the window (diverging runs) are clamped so the path stays drawable.
        const clamp = (v: number) => (Number.isFinite(v) ? Math.max(-1e4, Math.min(1e4, v)) : 1e4);
        let d = "";
        for (let k = 0; k < n; k++) d += `${k ? "L" : "M"}${clamp(fr.x(r.x[k])).toFixed(1)},${clamp(fr.y(r.y[k])).toFixed(1)}`;
        paths[i].attr("d", d);
        if (n > 0) heads[i].attr("cx", clamp(fr.x(r.x[n - 1]))).attr("cy", clamp(fr.y(r.y[n - 1])));
      });
      const xs = Array.from({ length: shown }, (_, k) => k);
      chart!.update(xs, result.runs.map((r) => xs.map((k) => r.loss[k] ?? null)));
      if (shown < total) animation = requestAnimationFrame(tick);
      else layer.attr("data-done", "true");
    };
    animation = requestAnimationFrame(tick);
  }

  void (async () => {
    try {
      problems = (await get<{ problems: Problem[] }>("/api/info")).problems;
      for (const p of problems) functionSelect.input.append(el("option", { value: p.name }, p.name));
      functionSelect.input.value = fn;
      await loadProblem();
    } catch (e) {
      reportError(e);
    }
  })();

  return () => {
    cancelAnimationFrame(animation);
    chart?.destroy();
  };
}

export const racePage: Page = { id: "race", title: "2 Optimizer race", mount };
