// Draws the heatmaps of a descent HTML page (loss landscapes, local models): every
// <div class="heatmap" data-heatmap="JSON"> with JSON
//   { x: [n_x], y: [n_y], z: [n_x·n_y, index j·n_x + i for (x[i], y[j]), null = not finite],
//     label, x_label, y_label, log }
// becomes a canvas of colored cells (viridis-like, on a log scale when `log` and all values are
// positive) with iso-lines where the color band changes, a white cross at (0, 0) when the grid
// contains it, and a legend. No libraries; this file is embedded at build time
// (cmake/EmbedReportAssets.cmake) and must not contain the sequences that close a script.
(function () {
  "use strict";

  // Viridis, sampled at 6 stops and interpolated linearly.
  const stops = [[68, 1, 84], [65, 68, 135], [42, 120, 142], [34, 168, 132], [122, 209, 81],
                 [253, 231, 37]];
  function color(u) {
    const t = Math.min(1, Math.max(0, u)) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const f = t - k;
    const c = stops[k].map((v, i) => Math.round(v + f * (stops[k + 1][i] - v)));
    return "rgb(" + c.join(",") + ")";
  }

  function fmt(v) {
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
    return String(+v.toPrecision(4));
  }

  function draw(div) {
    const spec = JSON.parse(div.getAttribute("data-heatmap"));
    const nx = spec.x.length, ny = spec.y.length;
    const finite = spec.z.filter((v) => v !== null);
    if (nx < 2 || ny < 2 || finite.length === 0) {
      div.textContent = "no finite values";
      return;
    }
    const useLog = spec.log && finite.every((v) => v > 0);
    const tr = (v) => (useLog ? Math.log10(v) : v);
    let lo = Infinity, hi = -Infinity;
    for (const v of finite) {
      lo = Math.min(lo, tr(v));
      hi = Math.max(hi, tr(v));
    }
    const span = hi > lo ? hi - lo : 1;
    const bands = 12;
    const band = (v) => (v === null ? -1 : Math.min(bands - 1, Math.floor(((tr(v) - lo) / span) * bands)));

    const cell = Math.max(2, Math.floor(480 / Math.max(nx, ny)));
    const canvas = document.createElement("canvas");
    canvas.width = nx * cell;
    canvas.height = ny * cell;
    const ctx = canvas.getContext("2d");
    for (let j = 0; j < ny; ++j) {
      for (let i = 0; i < nx; ++i) {
        const v = spec.z[j * nx + i];
        ctx.fillStyle = v === null ? "#ccc" : color((tr(v) - lo) / span);
        // y grows upwards: row j = 0 at the bottom.
        ctx.fillRect(i * cell, (ny - 1 - j) * cell, cell, cell);
      }
    }
    // Iso-lines: cell edges where the band changes.
    ctx.strokeStyle = "rgba(255,255,255,0.55)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let j = 0; j < ny; ++j) {
      for (let i = 0; i < nx; ++i) {
        const b = band(spec.z[j * nx + i]);
        const top = (ny - 1 - j) * cell;
        if (i + 1 < nx && band(spec.z[j * nx + i + 1]) !== b) {
          ctx.moveTo((i + 1) * cell, top);
          ctx.lineTo((i + 1) * cell, top + cell);
        }
        if (j + 1 < ny && band(spec.z[(j + 1) * nx + i]) !== b) {
          ctx.moveTo(i * cell, top);
          ctx.lineTo((i + 1) * cell, top);
        }
      }
    }
    ctx.stroke();
    // The centre point (0, 0), where the slice passes through θ0.
    const i0 = spec.x.indexOf(0), j0 = spec.y.indexOf(0);
    if (i0 >= 0 && j0 >= 0) {
      const cx = (i0 + 0.5) * cell, cy = (ny - 1 - j0 + 0.5) * cell;
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(cx - 6, cy);
      ctx.lineTo(cx + 6, cy);
      ctx.moveTo(cx, cy - 6);
      ctx.lineTo(cx, cy + 6);
      ctx.stroke();
    }
    div.appendChild(canvas);
    const legend = document.createElement("div");
    legend.className = "legend";
    const lowText = fmt(useLog ? Math.pow(10, lo) : lo);
    const highText = fmt(useLog ? Math.pow(10, hi) : hi);
    legend.textContent = "";
    for (const text of [
      spec.x_label + ": " + fmt(spec.x[0]) + " … " + fmt(spec.x[nx - 1]),
      spec.label + (useLog ? " (log color)" : "") + ": " + lowText + " (dark) … " + highText + " (light)",
      spec.y_label + ": " + fmt(spec.y[0]) + " … " + fmt(spec.y[ny - 1]),
    ]) {
      const span = document.createElement("span");
      span.textContent = text;
      legend.appendChild(span);
    }
    div.appendChild(legend);
  }

  document.querySelectorAll("div.heatmap[data-heatmap]").forEach(draw);
})();
