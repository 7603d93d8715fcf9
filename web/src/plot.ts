// Drawing: SVG plot frames with d3 scales, contour lines from d3-contour, line charts with uPlot.
// Everything drawn here comes from the server; nothing is computed beyond the pixel mapping.
import { contours } from "d3-contour";
import { scaleLinear, type ScaleLinear } from "d3-scale";
import { select, type Selection } from "d3-selection";
import uPlot from "uplot";

export const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

export interface Frame {
  svg: Selection<SVGSVGElement, unknown, null, undefined>;
  layer: Selection<SVGGElement, unknown, null, undefined>;
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
}

const MARGIN = 32;

// An SVG with linear axes over [x0, x1] × [y0, y1] (y up), tick labels and grid lines.
export function frame(
  parent: HTMLElement,
  width: number,
  height: number,
  xDomain: [number, number],
  yDomain: [number, number],
  id?: string,
): Frame {
  const svg = select(parent)
    .append("svg")
    .attr("width", width)
    .attr("height", height)
    .attr("class", "plot");
  if (id) svg.attr("id", id);
  const x = scaleLinear().domain(xDomain).range([MARGIN, width - 8]);
  const y = scaleLinear().domain(yDomain).range([height - MARGIN + 8, 8]);
  const axes = svg.append("g").attr("class", "axes");
  for (const t of x.ticks(6)) {
    axes.append("line").attr("x1", x(t)).attr("x2", x(t)).attr("y1", y.range()[0]).attr("y2", y.range()[1]);
    axes.append("text").attr("x", x(t)).attr("y", height - 10).attr("text-anchor", "middle").text(t);
  }
  for (const t of y.ticks(6)) {
    axes.append("line").attr("x1", x.range()[0]).attr("x2", x.range()[1]).attr("y1", y(t)).attr("y2", y(t));
    axes.append("text").attr("x", MARGIN - 4).attr("y", y(t) + 4).attr("text-anchor", "end").text(t);
  }
  const layer = svg.append("g");
  return { svg, layer, x, y };
}

// Contour lines of values on an n×n grid (row-major, y rows ascending) spanning the frame's
// domain. Thresholds are spaced geometrically above the minimum, so both the valley floor and the
// steep walls of functions like Rosenbrock show.
export function drawContours(
  f: Frame,
  values: number[],
  n: number,
  domain: [number, number, number, number],
  levels = 24,
): void {
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const span = Math.max(hi - lo, 1e-12);
  const thresholds: number[] = [];
  for (let i = 1; i <= levels; i++) thresholds.push(lo + span * Math.pow(i / levels, 3));
  const [x0, x1, y0, y1] = domain;
  // d3-contour works in grid units where the value of cell i sits at i + 0.5.
  const px = (c: number) => f.x(x0 + ((c - 0.5) / (n - 1)) * (x1 - x0));
  const py = (c: number) => f.y(y0 + ((c - 0.5) / (n - 1)) * (y1 - y0));
  const color = scaleLinear<string>().domain([0, levels - 1]).range(["#2c7bb6", "#d7191c"]);
  const g = f.layer.append("g").attr("class", "contours");
  contours().size([n, n]).thresholds(thresholds)(values.map((v) => (Number.isFinite(v) ? v : hi))).forEach((c, i) => {
    let d = "";
    for (const polygon of c.coordinates)
      for (const ring of polygon)
        d += ring.map(([cx, cy], k) => `${k ? "L" : "M"}${px(cx).toFixed(1)},${py(cy).toFixed(1)}`).join("") + "Z";
    g.append("path").attr("d", d).attr("fill", "none").attr("stroke", color(i)).attr("stroke-width", 0.8);
  });
}

// A uPlot line chart: x values shared by all series.
export function lineChart(
  parent: HTMLElement,
  title: string,
  labels: string[],
  opts: { width?: number; height?: number; log?: boolean; xLabel?: string; pointsOnly?: boolean[]; colors?: string[] } = {},
): { update(x: number[], ys: (number | null)[][]): void; destroy(): void } {
  const series: uPlot.Series[] = [{ label: opts.xLabel ?? "step" }];
  labels.forEach((label, i) => {
    const stroke = opts.colors?.[i] ?? COLORS[i % COLORS.length];
    if (opts.pointsOnly?.[i]) series.push({ label, stroke, width: 0, paths: () => null, points: { show: true, size: 5, fill: stroke } });
    else series.push({ label, stroke, width: 1.5 });
  });
  const plot = new uPlot(
    {
      title,
      width: opts.width ?? 480,
      height: opts.height ?? 240,
      series,
      scales: { x: { time: false }, y: opts.log ? { distr: 3 } : {} },
      // uPlot's default labels round small values to 0 on a log axis; powers of ten read better.
      axes: [{}, opts.log ? { values: (_u: uPlot, ticks: number[]) => ticks.map((v) => (v == null ? "" : v.toExponential(0))) } : {}],
    },
    [[], ...labels.map(() => [])] as uPlot.AlignedData,
    parent,
  );
  return {
    update(x, ys) {
      // A log axis cannot show values ≤ 0; they are left out of the drawing.
      const clean = ys.map((s) => s.map((v) => (v === null || !Number.isFinite(v) || (opts.log && v <= 0) ? null : v)));
      plot.setData([x, ...clean] as uPlot.AlignedData);
    },
    destroy() {
      plot.destroy();
    },
  };
}

// Light fills for the regions of predicted classes (class k gets REGION_COLORS[k]).
export const REGION_COLORS = ["#f6c9c9", "#cdeccd", "#c9dcf2", "#e1d5ee", "#fde0c2", "#e3d3cf", "#f3d1e8", "#cdeff2"];

// The predicted class at each point of an n×n grid over view = [x_min, x_max, y_min, y_max]
// (index j·n + i, y rows ascending) as one filled cell per point, replacing what `layer` held.
export function drawClassGrid(
  f: Frame,
  layer: Selection<SVGGElement, unknown, null, undefined>,
  classes: number[],
  n: number,
  view: number[],
): void {
  layer.selectAll("*").remove();
  const dx = (view[1] - view[0]) / (n - 1);
  const dy = (view[3] - view[2]) / (n - 1);
  const w = Math.abs(f.x(dx) - f.x(0)) + 0.5;
  const h = Math.abs(f.y(dy) - f.y(0)) + 0.5;
  classes.forEach((k, idx) => {
    const cx = view[0] + (idx % n) * dx;
    const cy = view[2] + Math.floor(idx / n) * dy;
    layer.append("rect").attr("x", f.x(cx) - w / 2).attr("y", f.y(cy) - h / 2).attr("width", w).attr("height", h).attr("fill", REGION_COLORS[k % REGION_COLORS.length]);
  });
}
