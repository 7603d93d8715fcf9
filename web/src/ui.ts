// Small DOM helpers for the pages' controls. Every control calls onChange with its new value.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export function numberInput(
  label: string,
  value: number,
  opts: { min?: number; max?: number; step?: number; id?: string },
  onChange: (v: number) => void,
): { element: HTMLElement; input: HTMLInputElement } {
  const input = el("input", { type: "number", step: String(opts.step ?? "any") });
  if (opts.min !== undefined) input.min = String(opts.min);
  if (opts.max !== undefined) input.max = String(opts.max);
  if (opts.id) input.id = opts.id;
  input.value = String(value);
  input.addEventListener("change", () => {
    const v = Number(input.value);
    if (Number.isFinite(v)) onChange(v);
  });
  return { element: el("label", {}, label, input), input };
}

export function slider(
  label: string,
  value: number,
  opts: { min: number; max: number; step: number; id?: string; format?: (v: number) => string },
  onChange: (v: number) => void,
): { element: HTMLElement; input: HTMLInputElement; set(v: number): void } {
  const format = opts.format ?? ((v: number) => String(v));
  const input = el("input", {
    type: "range",
    min: String(opts.min),
    max: String(opts.max),
    step: String(opts.step),
  });
  if (opts.id) input.id = opts.id;
  input.value = String(value);
  const shown = el("span", { class: "value" }, format(value));
  input.addEventListener("input", () => {
    shown.textContent = format(Number(input.value));
    onChange(Number(input.value));
  });
  return {
    element: el("label", {}, label, input, shown),
    input,
    set(v: number) {
      input.value = String(v);
      shown.textContent = format(v);
    },
  };
}

export function select(
  label: string,
  options: { value: string; text: string }[],
  value: string,
  onChange: (v: string) => void,
  id?: string,
): { element: HTMLElement; input: HTMLSelectElement } {
  const input = el("select");
  if (id) input.id = id;
  for (const o of options) input.append(el("option", { value: o.value }, o.text));
  input.value = value;
  input.addEventListener("change", () => onChange(input.value));
  return { element: el("label", {}, label, input), input };
}

export function checkbox(
  label: string,
  value: boolean,
  onChange: (v: boolean) => void,
  id?: string,
): { element: HTMLElement; input: HTMLInputElement } {
  const input = el("input", { type: "checkbox" });
  if (id) input.id = id;
  input.checked = value;
  input.addEventListener("change", () => onChange(input.checked));
  return { element: el("label", {}, input, label), input };
}

export function button(label: string, onClick: () => void, id?: string): HTMLButtonElement {
  const b = el("button", { type: "button" }, label);
  if (id) b.id = id;
  b.addEventListener("click", onClick);
  return b;
}

export function fmt(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return String(v ?? "—");
  return v.toFixed(digits);
}
