// Page 1: the lecture's linear classifier (the "Recap. Linear Models" slide, after CS231n's
// demo). Nine draggable points of three classes, the coloured regions of the predicted class,
// each class's zero-score line w_k·x + b_k = 0 with the arrow of its W row, the parameter table
// (values and ∂total/∂θ), loss choice, λ, step size, single and repeated gradient updates, and the
// per-point table of scores and losses. Every number comes from /api/linear/*.
import { drag } from "d3-drag";
import { get, post, reportError, stream } from "../api";
import { drawClassGrid, frame } from "../plot";
import { button, el, fmt, numberInput, select } from "../ui";
import type { Page } from "./page";

interface PointJson {
  x: [number, number];
  y: number;
}
interface Params {
  W: [number, number][];
  b: number[];
}
interface State {
  points: PointJson[];
  params: Params;
  loss: string;
  reg: number;
  margin: number;
  lr: number;
}
interface Report {
  params: Params;
  rows: { x: [number, number]; y: number; scores: number[]; loss: number }[];
  data_loss: number;
  reg_loss: number;
  total_loss: number;
  grad: Params;
  regions?: { view: number[]; n: number; classes: number[] };
}

const CLASS_COLORS = ["#d62728", "#2ca02c", "#1f77b4", "#9467bd", "#ff7f0e", "#8c564b"];
const VIEW: [number, number, number, number] = [-1.2, 1.2, -1.2, 1.2];
const SIZE = 460;
const ARROW_SCALE = 0.1; // arrows show 0.1·w_k so that the lecture's rows fit the view

function mount(root: HTMLElement): () => void {
  let state: State | null = null;
  let lecture: State | null = null;
  let stopStream: (() => void) | null = null;
  let inFlight = false;
  let dirty = false;

  const plotBox = el("div", { class: "plot-box" });
  const controls = el("div", { class: "controls" });
  const losses = el("div", { class: "losses" });
  const paramTable = el("table", { id: "param-table", class: "numbers" });
  const pointTable = el("table", { id: "point-table", class: "numbers" });
  root.append(
    el("h1", {}, "Linear classifier"),
    el("p", { class: "lead" }, "s = Wx + b on the lecture's nine points. Drag a point; take gradient steps on the total loss = data loss + λ ΣW²."),
    el("div", { class: "row" }, plotBox, el("div", {}, controls, losses, el("h2", {}, "Parameters"), paramTable)),
    el("h2", {}, "Scores and losses per point"),
    pointTable,
  );

  const f = frame(plotBox, SIZE, SIZE, [VIEW[0], VIEW[1]], [VIEW[2], VIEW[3]], "linear-plot");
  const regionLayer = f.layer.append("g").attr("class", "regions");
  const lineLayer = f.layer.append("g").attr("class", "zero-lines");
  const pointLayer = f.layer.append("g").attr("class", "points");
  f.svg.append("defs").html(
    CLASS_COLORS.map((c, k) => `<marker id="arrow${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="${c}"/></marker>`).join(""),
  );

  const body = (s: State) => ({ ...s, view: VIEW, view_n: 48 });

  // One evaluation in flight at a time; changes made meanwhile are sent when it returns.
  async function refresh(): Promise<void> {
    if (!state) return;
    if (inFlight) {
      dirty = true;
      return;
    }
    inFlight = true;
    try {
      render(await post<Report>("/api/linear/evaluate", body(state)));
    } catch (e) {
      reportError(e);
    } finally {
      inFlight = false;
      if (dirty) {
        dirty = false;
        void refresh();
      }
    }
  }

  async function stepOnce(): Promise<void> {
    if (!state) return;
    try {
      const report = await post<Report>("/api/linear/step", { ...body(state), steps: 1 });
      state.params = report.params;
      render(report);
    } catch (e) {
      reportError(e);
    }
  }

  function toggleRun(): void {
    if (stopStream) {
      stopStream();
      return;
    }
    if (!state) return;
    runButton.textContent = "Stop";
    stopStream = stream<Report>(
      "/api/linear/stream",
      { state: JSON.stringify({ ...body(state), steps: 2000 }), interval_ms: "40" },
      (report) => {
        if (!state) return;
        state.params = report.params;
        render(report);
      },
      (error) => {
        stopStream = null;
        runButton.textContent = "Start repeated updates";
        if (error) reportError(new Error(error));
      },
    );
  }

  function render(r: Report): void {
    if (!state) return;
    drawRegions(r);
    drawLines(r.params);
    drawPoints();
    losses.replaceChildren(
      el("div", {}, "Data loss ", el("b", { id: "data-loss" }, fmt(r.data_loss))),
      el("div", {}, "Regularization loss ", el("b", { id: "reg-loss" }, fmt(r.reg_loss))),
      el("div", {}, "Total loss ", el("b", { id: "total-loss" }, fmt(r.total_loss))),
    );
    const prow = (name: string, v: number, g: number) => el("tr", {}, el("td", {}, name), el("td", {}, fmt(v)), el("td", {}, fmt(g)));
    paramTable.replaceChildren(el("tr", {}, el("th", {}, ""), el("th", {}, "value"), el("th", {}, "∂total")));
    r.params.W.forEach((w, k) => {
      paramTable.append(prow(`W[${k},0]`, w[0], r.grad.W[k][0]), prow(`W[${k},1]`, w[1], r.grad.W[k][1]), prow(`b[${k}]`, r.params.b[k], r.grad.b[k]));
    });
    const classes = r.params.b.length;
    const head = el("tr", {}, el("th", {}, "x0"), el("th", {}, "x1"), el("th", {}, "y"));
    for (let k = 0; k < classes; k++) head.append(el("th", {}, `s${k}`));
    head.append(el("th", {}, "L"));
    pointTable.replaceChildren(head);
    for (const row of r.rows) {
      const tr = el("tr", {}, el("td", {}, fmt(row.x[0])), el("td", {}, fmt(row.x[1])), el("td", {}, String(row.y)));
      row.scores.forEach((s, k) => tr.append(el("td", { class: k === row.y ? "own" : "" }, fmt(s))));
      tr.append(el("td", {}, fmt(row.loss)));
      pointTable.append(tr);
    }
    pointTable.append(el("tr", {}, el("td", { colspan: String(3 + classes) }, "mean"), el("td", {}, fmt(r.data_loss))));
  }

  function drawRegions(r: Report): void {
    regionLayer.selectAll("*").remove();
    if (r.regions) drawClassGrid(f, regionLayer, r.regions.classes, r.regions.n, r.regions.view);
  }

  // w_k·x + b_k = 0 clipped to the view, and the arrow of w_k from the line's point nearest the
  // origin (−b_k w_k/|w_k|²), pointing where the score grows.
  function drawLines(p: Params): void {
    lineLayer.selectAll("*").remove();
    p.W.forEach(([w0, w1], k) => {
      const b = p.b[k];
      const color = CLASS_COLORS[k % CLASS_COLORS.length];
      const norm2 = w0 * w0 + w1 * w1;
      if (norm2 === 0) return;
      const ends: [number, number][] = [];
      if (Math.abs(w1) > 1e-12) for (const x of [VIEW[0], VIEW[1]]) ends.push([x, -(b + w0 * x) / w1]);
      if (Math.abs(w0) > 1e-12) for (const y of [VIEW[2], VIEW[3]]) ends.push([-(b + w1 * y) / w0, y]);
      const inside = ends.filter(([x, y]) => x >= VIEW[0] - 1e-9 && x <= VIEW[1] + 1e-9 && y >= VIEW[2] - 1e-9 && y <= VIEW[3] + 1e-9);
      if (inside.length >= 2)
        lineLayer.append("line").attr("x1", f.x(inside[0][0])).attr("y1", f.y(inside[0][1])).attr("x2", f.x(inside[1][0])).attr("y2", f.y(inside[1][1])).attr("stroke", color).attr("stroke-width", 2);
      const fx = (-b * w0) / norm2;
      const fy = (-b * w1) / norm2;
      lineLayer.append("line").attr("class", "w-arrow").attr("x1", f.x(fx)).attr("y1", f.y(fy)).attr("x2", f.x(fx + ARROW_SCALE * w0)).attr("y2", f.y(fy + ARROW_SCALE * w1)).attr("stroke", color).attr("stroke-width", 2).attr("marker-end", `url(#arrow${k})`);
    });
  }

  function drawPoints(): void {
    if (!state) return;
    const s = state;
    const circles = pointLayer
      .selectAll<SVGCircleElement, PointJson>("circle")
      .data(s.points)
      .join("circle")
      .attr("class", "point")
      .attr("r", 7)
      .attr("cx", (d) => f.x(d.x[0]))
      .attr("cy", (d) => f.y(d.x[1]))
      .attr("fill", (d) => CLASS_COLORS[d.y % CLASS_COLORS.length])
      .attr("stroke", "#000");
    circles.call(
      drag<SVGCircleElement, PointJson>().on("drag", function (event, d) {
        const x = Math.min(VIEW[1], Math.max(VIEW[0], f.x.invert(event.x)));
        const y = Math.min(VIEW[3], Math.max(VIEW[2], f.y.invert(event.y)));
        d.x = [x, y];
        this.setAttribute("cx", String(f.x(x)));
        this.setAttribute("cy", String(f.y(y)));
        void refresh();
      }),
    );
  }

  const lossSelect = select("Loss ", [], "svm", (v) => {
    if (state) state.loss = v;
    void refresh();
  }, "loss");
  const reg = numberInput("λ ", 0.1, { min: 0, step: 0.01, id: "reg" }, (v) => {
    if (state) state.reg = v;
    void refresh();
  });
  const lr = numberInput("Step size ", 0.1, { min: 0, step: 0.01, id: "lr" }, (v) => {
    if (state) state.lr = v;
  });
  const runButton = button("Start repeated updates", toggleRun, "run");
  controls.append(
    lossSelect.element,
    reg.element,
    lr.element,
    el("div", { class: "buttons" }, button("One update", () => void stepOnce(), "step"), runButton, button("Reset", () => {
      stopStream?.();
      if (lecture) load(structuredClone(lecture));
    }, "reset")),
  );

  function load(s: State): void {
    state = s;
    lossSelect.input.value = s.loss;
    reg.input.value = String(s.reg);
    lr.input.value = String(s.lr);
    void refresh();
  }

  void (async () => {
    try {
      const info = await get<{ losses: { name: string; title: string }[] }>("/api/info");
      for (const l of info.losses) lossSelect.input.append(el("option", { value: l.name }, l.title));
      lecture = await get<State>("/api/linear/lecture");
      load(structuredClone(lecture));
    } catch (e) {
      reportError(e);
    }
  })();

  return () => stopStream?.();
}

export const linearPage: Page = { id: "linear", title: "1 Linear classifier", mount };
