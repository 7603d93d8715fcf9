// Page 4: Taylor models. sin(x) and its Taylor polynomial of a chosen degree around x0 (the
// coefficients come from repeated automatic differentiation in analysis/taylor), and a 2-D
// problem next to its first- and second-order models around a draggable point
// (analysis/local_model), with the problem's critical points classified from their Hessians
// (analysis/critical_point).
import { drag } from "d3-drag";
import { get, post, reportError } from "../api";
import { drawContours, frame, lineChart, type Frame } from "../plot";
import { el, fmt, numberInput, select, slider } from "../ui";
import type { Page } from "./page";

interface TaylorTable {
  x: number[];
  f: number[];
  polynomial: number[][];
  max_error: number[];
  coefficients: number[];
}
interface Classified {
  x: number;
  y: number;
  kind: string;
  eigenvalues: number[];
  gradient_norm: number;
}
interface LocalModel {
  name: string;
  formula: string;
  range: [number, number, number, number];
  start: [number, number];
  point: [number, number];
  value: number;
  gradient: [number, number];
  hessian: [[number, number], [number, number]];
  n: number;
  f: number[];
  m1: number[];
  m2: number[];
  at_point: Classified;
  critical_points: Classified[];
}

const SIZE = 300;
// |T_n(x)| grows like |x|^n far from x0; values beyond this are left out so sin stays readable.
const Y_CLIP = 3;
// One marker shape per kind of critical point.
const KIND_PATH: Record<string, (x: number, y: number) => string> = {
  minimum: (x, y) => `M${x - 6},${y}h12M${x},${y - 6}v12`,
  maximum: (x, y) => `M${x - 5},${y}a5,5 0 1,0 10,0a5,5 0 1,0 -10,0`,
  saddle: (x, y) => `M${x - 5},${y - 5}l10,10M${x - 5},${y + 5}l10,-10`,
  degenerate: (x, y) => `M${x},${y - 6}l6,6l-6,6l-6,-6z`,
};

function mount(root: HTMLElement): () => void {
  let degree = 3;
  let x0 = 0;
  let fn = "himmelblau";
  let point: [number, number] = [0, 0];
  let pending = false;
  let again = false;
  let chart: ReturnType<typeof lineChart> | null = null;

  const chartBox = el("div", { class: "chart-box", id: "taylor-chart" });
  const errorText = el("p", { id: "taylor-error" });
  const degreeSlider = slider("Degree ", degree, { min: 0, max: 25, step: 1, id: "degree" }, (v) => {
    degree = v;
    void loadSeries();
  });
  const x0Input = numberInput("x0 ", x0, { step: 0.1, id: "x0" }, (v) => {
    x0 = v;
    void loadSeries();
  });
  const panels = el("div", { class: "row", id: "taylor-panels" });
  const info = el("div", { id: "taylor-info" });
  const criticalTable = el("table", { class: "numbers", id: "critical-points" });
  const functionSelect = select("Problem ", [], fn, (v) => {
    fn = v;
    point = [NaN, NaN];
    void loadModel();
  }, "problem");

  root.append(
    el("h1", {}, "Taylor models"),
    el("p", { class: "lead" }, "T_n(x) = Σ f^(k)(x0)/k! (x − x0)^k with the derivatives from automatic differentiation: each added term widens the interval where the polynomial follows sin, and far from x0 every polynomial leaves it."),
    el("div", { class: "row" }, chartBox, el("div", { class: "controls" }, degreeSlider.element, x0Input.element, errorText)),
    el("h2", {}, "First- and second-order models of a 2-D problem"),
    el("p", { class: "lead" }, "m1(θ) = f(θ0) + ∇f(θ0)ᵀΔ and m2(θ) = m1(θ) + ½ ΔᵀH(θ0)Δ, Δ = θ − θ0. Drag the white point. Critical points: + minimum, × saddle, ○ maximum, ◇ degenerate (classified by the signs of the Hessian's eigenvalues)."),
    el("div", { class: "controls" }, functionSelect.element),
    panels,
    el("div", { class: "row" }, info, criticalTable),
  );

  async function loadSeries(): Promise<void> {
    try {
      const t = await post<TaylorTable>("/api/taylor", { function: "sin", x0, degrees: [degree], range: [-2 * Math.PI, 2 * Math.PI], points: 401 });
      const clip = (v: number) => (Math.abs(v) > Y_CLIP ? null : v);
      if (!chart) chart = lineChart(chartBox, "sin(x) and its Taylor polynomial", ["sin x", "T_n(x)"], { xLabel: "x", width: 560, height: 300 });
      chart.update(t.x, [t.f, t.polynomial[0].map(clip)]);
      errorText.textContent = `degree ${degree}: max |sin x − T_n(x)| on [−2π, 2π] = ${t.max_error[0].toExponential(2)}`;
      errorText.dataset.maxError = String(t.max_error[0]);
    } catch (e) {
      reportError(e);
    }
  }

  function drawPanel(title: string, values: number[], m: LocalModel): Frame {
    const box = el("div", { class: "plot-box" });
    panels.append(el("div", {}, el("h3", {}, title), box));
    const f = frame(box, SIZE, SIZE, [m.range[0], m.range[1]], [m.range[2], m.range[3]]);
    drawContours(f, values, m.n, m.range, 20);
    for (const c of m.critical_points) {
      f.layer.append("path").attr("class", `critical ${c.kind}`).attr("d", KIND_PATH[c.kind](f.x(c.x), f.y(c.y))).attr("fill", "none").attr("stroke", "#000").attr("stroke-width", 2);
    }
    return f;
  }

  // Requests are serialized: while one is in flight, a drag only marks that another is needed.
  async function loadModel(): Promise<void> {
    if (pending) {
      again = true;
      return;
    }
    pending = true;
    try {
      const body: Record<string, unknown> = { function: fn, n: 60 };
      if (Number.isFinite(point[0])) body.point = point;
      const m = await post<LocalModel>("/api/taylor/local", body);
      point = [...m.point];
      draw(m);
    } catch (e) {
      reportError(e);
    } finally {
      pending = false;
      if (again) {
        again = false;
        void loadModel();
      }
    }
  }

  function draw(m: LocalModel): void {
    panels.replaceChildren();
    const frames = [drawPanel(`f: ${m.formula}`, m.f, m), drawPanel("m1 (first order)", m.m1, m), drawPanel("m2 (second order)", m.m2, m)];
    for (const f of frames) {
      const marker = f.layer.append("circle").attr("class", "expansion-point").attr("r", 6).attr("fill", "#fff").attr("stroke", "#000").attr("stroke-width", 2).attr("cx", f.x(point[0])).attr("cy", f.y(point[1]));
      marker.call(
        drag<SVGCircleElement, unknown>()
          .on("drag", (event) => {
            point = [f.x.invert(event.x), f.y.invert(event.y)];
            marker.attr("cx", event.x).attr("cy", event.y);
          })
          .on("end", () => void loadModel()),
      );
    }
    const h = m.hessian;
    info.replaceChildren(
      el("p", {}, `θ0 = (${fmt(m.point[0], 3)}, ${fmt(m.point[1], 3)}), f(θ0) = ${fmt(m.value, 4)}`),
      el("p", {}, `∇f(θ0) = (${fmt(m.gradient[0], 3)}, ${fmt(m.gradient[1], 3)})`),
      el("p", {}, `H(θ0) = [[${fmt(h[0][0], 3)}, ${fmt(h[0][1], 3)}], [${fmt(h[1][0], 3)}, ${fmt(h[1][1], 3)}]]`),
      el("p", { id: "point-kind" }, `curvature at θ0: ${m.at_point.kind} (eigenvalues ${m.at_point.eigenvalues.map((v) => fmt(v, 3)).join(", ")}; ‖∇f‖ = ${fmt(m.at_point.gradient_norm, 3)})`),
    );
    criticalTable.replaceChildren(el("tr", {}, el("th", {}, "x"), el("th", {}, "y"), el("th", {}, "kind"), el("th", {}, "Hessian eigenvalues"), el("th", {}, "‖∇f‖")));
    for (const c of m.critical_points) {
      criticalTable.append(el("tr", {}, el("td", {}, fmt(c.x, 3)), el("td", {}, fmt(c.y, 3)), el("td", {}, c.kind), el("td", {}, c.eigenvalues.map((v) => fmt(v, 3)).join(", ")), el("td", {}, c.gradient_norm.toExponential(1))));
    }
  }

  void (async () => {
    try {
      const problems = (await get<{ problems: { name: string }[] }>("/api/info")).problems;
      for (const p of problems) functionSelect.input.append(el("option", { value: p.name }, p.name));
      functionSelect.input.value = fn;
      point = [NaN, NaN];
      await Promise.all([loadSeries(), loadModel()]);
    } catch (e) {
      reportError(e);
    }
  })();

  return () => chart?.destroy();
}

export const taylorPage: Page = { id: "taylor", title: "4 Taylor", mount };
