// Page 3: dynamics of gradient descent and momentum on L = ½ θᵀAθ, A = diag(λ1, λ2). The error
// per eigen-direction of the closed form (lines) drawn over the real run of descent's SGD
// (points); the spectral radius against the step size α with the regimes shaded and markers at
// the stable bound and the optimal α (and β); the 2-D trajectory on the ill-conditioned quadratic.
import { post, reportError } from "../api";
import { COLORS, drawContours, frame, lineChart } from "../plot";
import { button, checkbox, el, fmt, numberInput } from "../ui";
import type { Page } from "./page";

interface Bounds {
  lambda_min: number;
  lambda_max: number;
  kappa: number;
  stable_lr_gd: number;
  stable_lr: number;
  optimal_lr: number;
  optimal_rate: number;
  optimal_momentum_lr: number;
  optimal_momentum: number;
  optimal_momentum_rate: number;
}
interface Dynamics {
  directions: { lambda: number; lr_lambda: number; spectral_radius: number; regime: string }[];
  bounds: Bounds | null;
  closed: number[][];
  iterated: number[][];
  max_deviation: number;
  theta?: [number, number][];
  grid?: { x_min: number; x_max: number; y_min: number; y_max: number; n: number; values: number[] };
}
interface Regimes {
  lambda: number;
  lr: number[];
  spectral_radius: number[];
  regime: string[];
}

const REGIME_COLORS: Record<string, string> = {
  stationary: "#eeeeee",
  "monotone decay": "#cfe8cf",
  "oscillating decay": "#fff0b3",
  oscillation: "#ffd9a8",
  divergence: "#f6c0c0",
};

function mount(root: HTMLElement): () => void {
  const s = { lambda1: 1, lambda2: 20, lr: 0.09, momentum: 0, nesterov: false, steps: 60 };
  const errorBox = el("div", { class: "chart-box", id: "error-chart" });
  const regimeBox = el("div", { class: "plot-box" });
  const trajBox = el("div", { class: "plot-box" });
  const summary = el("div", { class: "summary", id: "dynamics-summary" });
  let errorChart: ReturnType<typeof lineChart> | null = null;
  let pending = 0;

  const num = (label: string, key: keyof typeof s, step: number, id: string) =>
    numberInput(label, s[key] as number, { min: 0, step, id }, (v) => {
      (s[key] as number) = v;
      void update();
    });
  const inputs = {
    lambda1: num("λ1 ", "lambda1", 0.1, "lambda1"),
    lambda2: num("λ2 ", "lambda2", 1, "lambda2"),
    lr: num("α (step size) ", "lr", 0.005, "alpha"),
    momentum: num("β (momentum) ", "momentum", 0.05, "beta"),
    steps: num("Steps ", "steps", 10, "dyn-steps"),
  };
  const nesterov = checkbox(" Nesterov", false, (v) => {
    s.nesterov = v;
    void update();
  }, "nesterov");
  let bounds: Bounds | null = null;
  const setRule = (lr: number, momentum: number) => {
    s.lr = lr;
    s.momentum = momentum;
    inputs.lr.input.value = String(+lr.toPrecision(6));
    inputs.momentum.input.value = String(+momentum.toPrecision(6));
    void update();
  };
  root.append(
    el("h1", {}, "Dynamics and momentum"),
    el("p", { class: "lead" }, "Gradient descent on L = ½(λ1 θ1² + λ2 θ2²). Each eigen-direction evolves on its own: x_t = (1 − αλ)ᵗ x_0 for plain GD, a 2×2 linear recursion with momentum. Lines: closed form; points: the real run of SGD."),
    el("div", { class: "row" },
      el("div", { class: "controls" }, inputs.lambda1.element, inputs.lambda2.element, inputs.lr.element, inputs.momentum.element, nesterov.element, inputs.steps.element,
        el("div", { class: "buttons" },
          button("Optimal GD α", () => bounds && setRule(bounds.optimal_lr, 0), "optimal-gd"),
          button("Optimal α, β", () => bounds && setRule(bounds.optimal_momentum_lr, bounds.optimal_momentum), "optimal-momentum")),
        summary),
      errorBox),
    el("div", { class: "row" }, el("div", {}, el("h2", {}, "Spectral radius against α (regimes shaded)"), regimeBox), el("div", {}, el("h2", {}, "Trajectory on the quadratic"), trajBox)),
  );

  async function update(): Promise<void> {
    const ticket = ++pending;
    try {
      const eigenvalues = [s.lambda1, s.lambda2];
      const dyn = await post<Dynamics>("/api/dynamics", { eigenvalues, lr: s.lr, momentum: s.momentum, nesterov: s.nesterov, steps: Math.round(s.steps), start: [1, 1] });
      bounds = dyn.bounds;
      const lrMax = 1.25 * (bounds ? Math.max(bounds.stable_lr, s.lr) : 2 * s.lr);
      const regimes = await Promise.all(
        dyn.directions.map((d) => post<Regimes>("/api/dynamics/regimes", { lambda: d.lambda, momentum: s.momentum, nesterov: s.nesterov, lr_max: lrMax, n: 300 })),
      );
      if (ticket !== pending) return; // a newer request is on its way
      drawErrors(dyn);
      drawRegimes(regimes, lrMax);
      drawTrajectory(dyn);
      drawSummary(dyn);
    } catch (e) {
      reportError(e);
    }
  }

  function drawErrors(d: Dynamics): void {
    errorChart?.destroy();
    errorBox.replaceChildren();
    const labels: string[] = [];
    d.directions.forEach((dir) => labels.push(`closed λ=${dir.lambda}`, `run λ=${dir.lambda}`));
    errorChart = lineChart(errorBox, "|x_t| per eigen-direction (log scale)", labels, {
      log: true,
      width: 520,
      height: 300,
      pointsOnly: labels.map((_, i) => i % 2 === 1),
      colors: labels.map((_, i) => COLORS[Math.floor(i / 2) % COLORS.length]),
    });
    const xs = d.closed.map((_, t) => t);
    const ys: (number | null)[][] = [];
    d.directions.forEach((_, i) => {
      ys.push(d.closed.map((row) => Math.abs(row[i])));
      ys.push(d.iterated.map((row) => Math.abs(row[i])));
    });
    errorChart.update(xs, ys);
  }

  function drawRegimes(regimes: Regimes[], lrMax: number): void {
    regimeBox.replaceChildren();
    const f = frame(regimeBox, 460, 300, [0, lrMax], [0, 1.6], "regime-plot");
    const band = 14;
    regimes.forEach((r, i) => {
      const y0 = f.y(1.6) + i * band;
      r.lr.forEach((a, k) => {
        const prev = k === 0 ? 0 : r.lr[k - 1];
        f.layer.append("rect").attr("class", "regime").attr("data-regime", r.regime[k]).attr("x", f.x(prev)).attr("y", y0).attr("width", Math.max(0.5, f.x(a) - f.x(prev))).attr("height", band).attr("fill", REGIME_COLORS[r.regime[k]] ?? "#fff");
      });
      f.layer.append("text").attr("x", f.x(0) + 4).attr("y", y0 + 11).attr("class", "band-label").text(`λ=${r.lambda}`);
      const clampY = (v: number) => f.y(Math.min(1.6, v));
      f.layer.append("path").attr("fill", "none").attr("stroke", COLORS[i % COLORS.length]).attr("stroke-width", 2).attr("d", r.lr.map((a, k) => `${k ? "L" : "M"}${f.x(a).toFixed(1)},${clampY(r.spectral_radius[k]).toFixed(1)}`).join(""));
    });
    f.layer.append("line").attr("x1", f.x(0)).attr("x2", f.x(lrMax)).attr("y1", f.y(1)).attr("y2", f.y(1)).attr("stroke", "#666").attr("stroke-dasharray", "2 3");
    // Labels sit on separate rows so that nearby markers stay readable.
    const mark = (a: number, color: string, label: string, cls: string, row: number) => {
      if (!(a > 0 && a <= lrMax)) return;
      f.layer.append("line").attr("class", cls).attr("x1", f.x(a)).attr("x2", f.x(a)).attr("y1", f.y(0)).attr("y2", f.y(1.6)).attr("stroke", color).attr("stroke-width", 1.5).attr("stroke-dasharray", cls === "alpha" ? "" : "5 3");
      f.layer.append("text").attr("x", f.x(a) + 3).attr("y", f.y(1.5 - 0.1 * row)).attr("fill", color).attr("class", "marker-label").text(label);
    };
    if (bounds) {
      mark(bounds.stable_lr, "#d62728", "stable bound", "stable-bound", 1);
      if (s.momentum === 0) mark(bounds.optimal_lr, "#2ca02c", "optimal α", "optimal-lr", 2);
      else mark(bounds.optimal_momentum_lr, "#2ca02c", "optimal α (β*)", "optimal-lr", 2);
    }
    mark(s.lr, "#000", "α", "alpha", 3);
  }

  function drawTrajectory(d: Dynamics): void {
    trajBox.replaceChildren();
    if (!d.grid || !d.theta) return;
    const g = d.grid;
    const f = frame(trajBox, 420, 420, [g.x_min, g.x_max], [g.y_min, g.y_max], "trajectory-plot");
    drawContours(f, g.values, g.n, [g.x_min, g.x_max, g.y_min, g.y_max], 14);
    const clamp = (v: number) => Math.max(-1e4, Math.min(1e4, v));
    f.layer.append("path").attr("class", "trajectory").attr("fill", "none").attr("stroke", "#000").attr("stroke-width", 1.5).attr("d", d.theta.map(([x, y], k) => `${k ? "L" : "M"}${clamp(f.x(x)).toFixed(1)},${clamp(f.y(y)).toFixed(1)}`).join(""));
    for (const [x, y] of d.theta.slice(0, 200)) f.layer.append("circle").attr("r", 2).attr("cx", clamp(f.x(x))).attr("cy", clamp(f.y(y))).attr("fill", "#000");
  }

  function drawSummary(d: Dynamics): void {
    const rows = d.directions.map((dir) => el("tr", {}, el("td", {}, fmt(dir.lambda, 3)), el("td", {}, fmt(dir.lr_lambda, 3)), el("td", {}, fmt(dir.spectral_radius, 4)), el("td", { class: "regime-name" }, dir.regime)));
    const b = d.bounds;
    summary.replaceChildren(
      el("table", { class: "numbers" }, el("tr", {}, el("th", {}, "λ"), el("th", {}, "αλ"), el("th", {}, "ρ(M)"), el("th", {}, "regime")), ...rows),
      b
        ? el("p", {}, `κ = ${fmt(b.kappa, 3)}; stable α < ${fmt(b.stable_lr, 4)} (plain GD ${fmt(b.stable_lr_gd, 4)}); optimal GD α* = ${fmt(b.optimal_lr, 4)}, rate ${fmt(b.optimal_rate, 4)}; optimal heavy ball α* = ${fmt(b.optimal_momentum_lr, 4)}, β* = ${fmt(b.optimal_momentum, 4)}, rate ${fmt(b.optimal_momentum_rate, 4)}`)
        : el("p", {}, "bounds undefined (a non-positive eigenvalue)"),
      el("p", {}, `closed form vs run: max relative deviation ${d.max_deviation.toExponential(2)}`),
    );
  }

  void update();
  return () => {
    pending++;
    errorChart?.destroy();
  };
}

export const dynamicsPage: Page = { id: "dynamics", title: "3 Dynamics", mount };
