// Draws the charts of a descent HTML report with uPlot (embedded inline before this script).
// The page carries its data as JSON in the script element with id "report-data" (of type
// application/json):
//   { runs: [name, ...], palette: [css color, ...],
//     charts: [{ title, x_label, y_label, log_y, series: [{ label, x: [...], y: [...] }] }] }
// and one div of class "chart" per chart, whose data-chart attribute is the chart's index. x values are ascending and unique
// within a series; y is null where the value was not finite (drawn as a gap).
// This file is embedded into the C++ library at build time (cmake/EmbedReportAssets.cmake);
// it must not contain the sequences that close an inline script.
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("report-data").textContent);
  const palette = data.palette;
  const runIndex = new Map(data.runs.map((name, i) => [name, i]));

  // A run has the same color in every chart; other series take the colors after the runs'.
  function colorFor(label, seriesIndex) {
    const k = runIndex.has(label) ? runIndex.get(label) : data.runs.length + seriesIndex;
    return palette[k % palette.length];
  }

  function formatValue(v) {
    if (v === null || v === undefined) return "–";
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3).replace(/\.?0+e/, "e");
    return String(+v.toPrecision(5));
  }

  function allPositive(spec) {
    return spec.series.every((s) => s.y.every((v) => v === null || v > 0));
  }

  function plotSize(container) {
    const width = Math.max(240, container.clientWidth);
    return { width: width, height: Math.round(Math.min(340, Math.max(200, width * 0.55))) };
  }

  // Steps, epochs and indices are integers: their axis gets no fractional ticks.
  const integerIncrs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5,
    2e5, 5e5, 1e6, 2e6, 5e6, 1e7, 1e8, 1e9];

  function integerX(spec) {
    return spec.series.every((s) => s.x.every((v) => Number.isInteger(v)));
  }

  // Axis tick labels; a log axis passes null for its unlabeled minor ticks.
  function tickLabels(u, vals) {
    return vals.map((v) => (v === null || v === undefined ? "" : formatValue(v)));
  }

  function makeOptions(spec, logY, size) {
    const series = [{ label: spec.x_label, value: (u, v) => formatValue(v) }];
    spec.series.forEach((s, i) => {
      series.push({
        label: s.label,
        stroke: colorFor(s.label, i),
        width: 1.5,
        value: (u, v) => formatValue(v),
      });
    });
    return {
      width: size.width,
      height: size.height,
      // Charts with the same x quantity (step or epoch) move their cursors together.
      cursor: { sync: { key: "x:" + spec.x_label }, drag: { x: true, y: false } },
      scales: { x: { time: false }, y: logY ? { distr: 3 } : {} },
      axes: [
        integerX(spec)
          ? { label: spec.x_label, labelSize: 22, incrs: integerIncrs, values: tickLabels }
          : { label: spec.x_label, labelSize: 22, values: tickLabels },
        { label: spec.y_label, labelSize: 22, size: 64, values: tickLabels },
      ],
      legend: { live: true },
      series: series,
    };
  }

  function drawChart(container, spec) {
    if (spec.series.length === 0 || spec.series.every((s) => s.x.length === 0)) {
      container.textContent = "No data.";
      container.classList.add("empty");
      return;
    }
    const aligned = uPlot.join(spec.series.map((s) => [s.x, s.y]));
    const canLog = allPositive(spec);
    let logY = Boolean(spec.log_y) && canLog;
    const plotArea = document.createElement("div");
    container.appendChild(plotArea);

    let plot = new uPlot(makeOptions(spec, logY, plotSize(container)), aligned, plotArea);

    const toggle = container.parentElement.querySelector("input.log-toggle");
    if (toggle) {
      toggle.checked = logY;
      toggle.disabled = !canLog;
      if (!canLog) toggle.parentElement.title = "values are not all positive";
      toggle.addEventListener("change", () => {
        logY = toggle.checked;
        plot.destroy();
        plot = new uPlot(makeOptions(spec, logY, plotSize(container)), aligned, plotArea);
      });
    }
    if (typeof ResizeObserver === "function") {
      // Only a new width redraws: the plot's own height change must not re-trigger it.
      let lastWidth = container.clientWidth;
      new ResizeObserver(() => {
        if (container.clientWidth === lastWidth) return;
        lastWidth = container.clientWidth;
        // Resizing in the next frame keeps layout changes out of the observer's own loop.
        requestAnimationFrame(() => plot.setSize(plotSize(container)));
      }).observe(container);
    }
  }

  document.querySelectorAll("div.chart[data-chart]").forEach((el) => {
    const spec = data.charts[Number(el.dataset.chart)];
    if (spec) drawChart(el, spec);
  });
})();
