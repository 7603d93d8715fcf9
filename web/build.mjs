// Builds the web lab front end into web/dist: esbuild bundles web/src/main.ts (with d3 modules and
// uPlot from node_modules, so the pages work offline) and the static files are copied beside it.
// Type checking is `tsc --noEmit` (see package.json "build").
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
cpSync(join(root, "static"), dist, { recursive: true });
cpSync(join(root, "node_modules/uplot/dist/uPlot.min.css"), join(dist, "uPlot.min.css"));
await build({
  entryPoints: [join(root, "src/main.ts")],
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: true,
  outfile: join(dist, "app.js"),
  logLevel: "warning",
});
