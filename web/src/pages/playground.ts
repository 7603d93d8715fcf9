// Page 5: the network playground. A small classifier on a 2-D dataset, trained in C++
// (app/playground over the Trainer) and streamed frame by frame with server-sent events: the
// decision boundary (the predicted class on a grid, computed by the server), the loss curves,
// the saturated and dead fractions per layer, and λmax of the loss Hessian against 2/lr. The
// regularization view trains one network per λ and shows the boundaries side by side.
import { post, reportError, showStatus, stream } from "../api";
import { COLORS, drawClassGrid, frame, lineChart, type Frame } from "../plot";
import { button, checkbox, el, fmt, numberInput, select } from "../ui";
import type { Page } from "./page";

interface Data {
  x: number[];
  y: number[];
  label: number[];
  test: boolean[];
  view: [number, number, number, number];
  classes: number;
  grid: number;
}
interface FrameJson {
  step: number;
  losses: number[];
  accuracy: number | null;
  test_loss: number | null;
  test_accuracy: number | null;
  classes: number[];
  saturation: Record<string, number>;
  dead: Record<string, number>;
  sharpness: number | null;
  lr: number;
}
interface Regularization {
  data: Omit<Data, "grid">;
  grid: number;
  penalty: string;
  runs: (FrameJson & { lambda: number; status: string })[];
}

const SIZE = 420;

function mount(root: HTMLElement): () => void {
  const o = {
    dataset: "spiral",
    classes: 3,
    samples: 100,
    noise: 0.2,
    widths: "16, 16",
    activation: "relu",
    init: "default",
    batchnorm: false,
    shift: 0,
    scale: 1,
    standardize: true,
    l1: 0,
    l2: 0,
    optimizer: "adam:lr=0.02",
    steps: 500,
    batch_size: 0,
    report_every: 10,
  };
  let lambdas = "0, 0.001, 0.01, 0.1";
  let penalty = "l2";
  let closeStream: (() => void) | null = null;
  let lossChart: ReturnType<typeof lineChart> | null = null;
  let sharpChart: ReturnType<typeof lineChart> | null = null;

  const body = () => ({ ...o, widths: o.widths.split(",").map((s) => s.trim()).filter((s) => s).map(Number), grid: 48 });
  const num = (label: string, key: keyof typeof o, opts: { min?: number; max?: number; step?: number }) =>
    numberInput(label, o[key] as number, { ...opts, id: `pg-${key}` }, (v) => ((o as Record<string, unknown>)[key] = v)).element;
  const text = (label: string, key: "widths" | "optimizer", size: string) => {
    const input = el("input", { type: "text", id: `pg-${key}`, value: o[key], size });
    input.addEventListener("change", () => (o[key] = input.value));
    return el("label", {}, label, input);
  };
  const choice = (label: string, key: "dataset" | "activation" | "init", values: string[]) =>
    select(label, values.map((v) => ({ value: v, text: v })), o[key], (v) => (o[key] = v), `pg-${key}`).element;
  const flag = (label: string, key: "batchnorm" | "standardize") => checkbox(label, o[key], (v) => (o[key] = v), `pg-${key}`).element;

  const plotBox = el("div", { class: "plot-box" });
  const lossBox = el("div", { class: "chart-box" });
  const sharpBox = el("div", { class: "chart-box" });
  const meters = el("div", { id: "pg-meters" });
  const summary = el("div", { id: "pg-summary" });
  const regBox = el("div", { class: "small-multiples", id: "pg-regularization" });
  const lambdaInput = el("input", { type: "text", id: "pg-lambdas", value: lambdas, size: "24" });
  lambdaInput.addEventListener("change", () => (lambdas = lambdaInput.value));

  root.append(
    el("h1", {}, "Network playground"),
    el("p", { class: "lead" }, "An MLP trained in the C++ engine on a 2-D dataset; every few steps the server sends the predicted class on a grid (the decision boundary), the losses, the saturated (tanh, sigmoid) and dead (ReLU) fractions per layer and the sharpness λmax of the loss Hessian, drawn against the step-size bound 2/lr. Inputs go through x' = scale·x + shift, then standardization when it is on; the plot stays in the original coordinates."),
    el(
      "div",
      { class: "row" },
      el("div", { class: "controls" }, el("h2", {}, "Data"), choice("Dataset ", "dataset", ["spiral", "circles", "moons", "xor", "blobs"]), num("Classes (spiral, blobs) ", "classes", { min: 2, max: 8, step: 1 }), num("Points per class ", "samples", { min: 2, max: 1000, step: 1 }), num("Noise ", "noise", { min: 0, step: 0.05 }), num("Input shift ", "shift", { step: 0.5 }), num("Input scale ", "scale", { step: 0.5 }), flag(" standardize", "standardize")),
      el("div", { class: "controls" }, el("h2", {}, "Network"), text("Hidden widths ", "widths", "10"), choice("Activation ", "activation", ["relu", "tanh", "sigmoid", "leaky_relu", "gelu"]), choice("Init ", "init", ["default", "kaiming_uniform", "kaiming_normal", "xavier_uniform", "xavier_normal", "lecun_normal", "orthogonal"]), flag(" BatchNorm", "batchnorm"), num("L1 λ ", "l1", { min: 0, step: 0.001 }), num("L2 λ ", "l2", { min: 0, step: 0.001 })),
      el("div", { class: "controls" }, el("h2", {}, "Training"), text("Optimizer ", "optimizer", "22"), num("Steps ", "steps", { min: 1, max: 5000, step: 1 }), num("Batch size (0: full) ", "batch_size", { min: 0, step: 1 }), num("Report every ", "report_every", { min: 1, step: 1 }), el("div", { class: "buttons" }, button("Train", () => train(), "pg-train"), button("Stop", () => stop(), "pg-stop")), summary),
    ),
    el("div", { class: "row" }, plotBox, el("div", {}, lossBox, sharpBox), el("div", {}, el("h2", {}, "Saturated / dead units"), meters)),
    el("h2", {}, "Regularization: the boundary for several λ"),
    el("div", { class: "controls" }, el("label", {}, "λ values ", lambdaInput), select("Penalty ", [{ value: "l2", text: "L2" }, { value: "l1", text: "L1" }], penalty, (v) => (penalty = v), "pg-penalty").element, el("div", { class: "buttons" }, button("Compare λ", () => void regularize(), "pg-compare"))),
    regBox,
  );

  function drawPoints(f: Frame, d: Omit<Data, "grid">): void {
    const g = f.layer.append("g").attr("class", "points");
    d.x.forEach((x, i) => {
      g.append("circle").attr("cx", f.x(x)).attr("cy", f.y(d.y[i])).attr("r", 3).attr("fill", COLORS[d.label[i] % COLORS.length]).attr("stroke", d.test[i] ? "#000" : "none");
    });
  }

  function meter(label: string, value: number): HTMLElement {
    const bar = el("div", { class: "bar" }, el("span", { style: `width: ${(100 * value).toFixed(1)}%` }));
    return el("div", { class: "meter" }, el("span", {}, label), bar, el("span", {}, `${(100 * value).toFixed(1)}%`));
  }

  function stop(): void {
    closeStream?.();
    closeStream = null;
  }

  function train(): void {
    stop();
    plotBox.replaceChildren();
    lossChart?.destroy();
    sharpChart?.destroy();
    lossBox.replaceChildren();
    sharpBox.replaceChildren();
    lossChart = lineChart(lossBox, "loss", ["train (batch)", "test"], { log: true, width: 440, height: 220, pointsOnly: [false, true] });
    sharpChart = lineChart(sharpBox, "sharpness λmax and 2/lr", ["λmax", "2/lr"], { width: 440, height: 200, pointsOnly: [true, false] });
    const steps: number[] = [];
    const train: (number | null)[] = [];
    const test: (number | null)[] = [];
    const sharpSteps: number[] = [];
    const lambda: (number | null)[] = [];
    const bound: number[] = [];
    let f: Frame | null = null;
    let data: Data | null = null;
    const regions = () => f!.layer.select<SVGGElement>("g.regions");
    for (const k of ["done", "firstLoss", "lastLoss", "step"]) delete summary.dataset[k];
    showStatus("training…");
    // The first event, named "data", carries the points and the view.
    const onData = (d: Data) => {
      data = d;
      f = frame(plotBox, SIZE, SIZE, [d.view[0], d.view[1]], [d.view[2], d.view[3]], "pg-plot");
      f.layer.append("g").attr("class", "regions");
      drawPoints(f, d);
    };
    closeStream = stream<FrameJson>(
      "/api/playground/stream",
      { state: JSON.stringify(body()) },
      (event) => {
        if (!f || !data) return;
        const first = event.step - event.losses.length + 1;
        event.losses.forEach((l, k) => {
          steps.push(event.step === 0 ? 0 : first + k);
          train.push(l);
          test.push(k === event.losses.length - 1 ? event.test_loss : null);
        });
        lossChart!.update(steps, [train, test]);
        if (event.sharpness !== null) {
          sharpSteps.push(event.step);
          lambda.push(event.sharpness);
          bound.push(2 / event.lr);
          sharpChart!.update(sharpSteps, [lambda, bound]);
        }
        drawClassGrid(f, regions(), event.classes, data.grid, data.view);
        meters.replaceChildren(
          ...Object.entries(event.saturation).map(([k, v]) => meter(`saturated ${k}`, v)),
          ...Object.entries(event.dead).map(([k, v]) => meter(`dead ReLU ${k}`, v)),
        );
        if (summary.dataset.firstLoss === undefined) summary.dataset.firstLoss = String(event.test_loss);
        summary.dataset.lastLoss = String(event.test_loss);
        summary.dataset.step = String(event.step);
        summary.textContent = `step ${event.step}: batch loss ${fmt(event.losses[event.losses.length - 1], 4)}, test loss ${fmt(event.test_loss, 4)}, test accuracy ${fmt(event.test_accuracy, 3)}${event.sharpness !== null ? `, λmax ${fmt(event.sharpness, 2)} (2/lr = ${fmt(2 / event.lr, 2)})` : ""}`;
      },
      (error) => {
        closeStream = null;
        summary.dataset.done = "true";
        if (error) reportError(new Error(error));
        else showStatus("");
      },
      { data: (d) => onData(d as Data) },
    );
  }

  async function regularize(): Promise<void> {
    try {
      const values = lambdas.split(",").map((s) => Number(s.trim()));
      const b = { ...body(), steps: Math.min(o.steps, 1000), grid: 40, lambdas: values, penalty };
      regBox.replaceChildren(el("p", {}, "training one network per λ…"));
      const r = await post<Regularization>("/api/playground/regularization", b);
      regBox.replaceChildren();
      for (const run of r.runs) {
        const box = el("div", { class: "plot-box" });
        regBox.append(el("div", {}, el("h3", {}, `${r.penalty} λ = ${run.lambda}: test loss ${fmt(run.test_loss, 3)}, accuracy ${fmt(run.test_accuracy, 2)}`), box));
        const f = frame(box, 260, 260, [r.data.view[0], r.data.view[1]], [r.data.view[2], r.data.view[3]]);
        drawClassGrid(f, f.layer.append("g").attr("class", "regions"), run.classes, r.grid, r.data.view);
        drawPoints(f, r.data);
      }
    } catch (e) {
      reportError(e);
    }
  }

  return () => {
    stop();
    lossChart?.destroy();
    sharpChart?.destroy();
  };
}

export const playgroundPage: Page = { id: "playground", title: "5 Playground", mount };
