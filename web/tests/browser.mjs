// Browser tests of the web lab: starts `descent serve` on a free port with a scratch runs
// directory, drives headless Chromium (Debian's /usr/bin/chromium, through playwright-core) over
// every page and checks what a user would see. Screenshots go to the artifacts directory.
//
//   node web/tests/browser.mjs <path to build/descent> <artifacts dir>
//
// Exit status 0: passed; 1: failed; 77: skipped because Chromium is not installed (CTest reports
// it as skipped; scripts/setup.sh installs it).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [descent, artifacts] = process.argv.slice(2);
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!descent || !artifacts) {
  console.error("usage: node browser.mjs <descent binary> <artifacts dir>");
  process.exit(2);
}
if (!existsSync(chromiumPath)) {
  console.log(`SKIPPED: Chromium not found at ${chromiumPath} (scripts/setup.sh installs Debian's chromium)`);
  process.exit(77);
}
mkdirSync(artifacts, { recursive: true });

// A run with a metrics log for the Runs page (the format of app/metrics_log.h).
const runs = mkdtempSync(join(tmpdir(), "descent-web-runs-"));
mkdirSync(join(runs, "demo", "v0"), { recursive: true });
writeFileSync(
  join(runs, "demo", "v0", "metrics.jsonl"),
  [2.3, 1.7, 1.2, 0.9, 0.8]
    .map((v, i) => JSON.stringify({ run: "adam", step: i * 10, epoch: 0, wall_time: i, split: "train", metric: "loss", value: v }))
    .join("\n") + "\n",
);

function startServer() {
  return new Promise((resolve, reject) => {
    const proc = spawn(descent, ["serve", "--port", "0", "--runs", runs], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no URL from descent serve: ${out}`)), 15000);
    proc.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1] });
      }
    });
    proc.on("exit", (code) => reject(new Error(`descent serve exited with ${code}: ${out}`)));
  });
}

const failures = [];
function check(cond, what) {
  console.log(`${cond ? "ok  " : "FAIL"} ${what}`);
  if (!cond) failures.push(what);
}

const { proc, url } = await startServer();
const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox"] });
const started = Date.now();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });

  // Opens a page of the lab, recording console errors and uncaught exceptions.
  // Opens page `id`, collecting console errors; with `api`, `answer` is the JSON of the first
  // response of that endpoint (waited for from before the page loads, so it cannot be missed).
  async function open(id, api) {
    const page = await context.newPage();
    const errors = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(String(e)));
    page.setDefaultTimeout(20000);
    const response = api ? page.waitForResponse((r) => r.url().endsWith(api)) : null;
    await page.goto(`${url}#/${id}`);
    const answer = response ? await (await response).json() : null;
    return { page, errors, answer };
  }
  const text = async (page, sel) => (await page.locator(sel).textContent()).trim();

  // --- page 1: linear classifier -----------------------------------------------------------------
  {
    const { page, errors } = await open("linear");
    await page.waitForFunction(() => document.querySelector("#total-loss")?.textContent === "6.27");
    check((await text(page, "#data-loss")) === "2.77", "page 1 opens on the lecture's data loss 2.77");
    check((await text(page, "#reg-loss")) === "3.50", "page 1 opens on the lecture's reg loss 3.50");
    check((await page.locator("#linear-plot .regions rect").count()) > 100, "page 1 draws the class regions");
    check((await page.locator("#linear-plot line.w-arrow").count()) === 3, "page 1 draws three W-row arrows");
    await page.screenshot({ path: join(artifacts, "1-linear.png"), fullPage: true });

    const before = await text(page, "#data-loss");
    const box = await page.locator("circle.point").nth(0).boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x - 120, box.y + 150, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction((b) => document.querySelector("#data-loss")?.textContent !== b, before);
    check((await text(page, "#data-loss")) !== before, `dragging a point changes the data loss (${before} -> ${await text(page, "#data-loss")})`);
    await page.waitForTimeout(300); // let the last evaluation of the drag land

    const total = Number(await text(page, "#total-loss"));
    const stepped = page.waitForResponse((r) => r.url().endsWith("/api/linear/step"));
    await page.click("#step");
    const after = (await (await stepped).json()).total_loss;
    await page.waitForFunction((t) => document.querySelector("#total-loss")?.textContent === t, after.toFixed(2));
    check(after < total, `one update lowers the total loss (${total} -> ${after.toFixed(4)})`);

    await page.click("#run");
    await page.waitForTimeout(600);
    await page.click("#run");
    const streamed = Number(await text(page, "#total-loss"));
    check(streamed < after, `repeated updates lower the total loss further (${after.toFixed(4)} -> ${streamed})`);
    await page.screenshot({ path: join(artifacts, "1-linear-after.png"), fullPage: true });
    check(errors.length === 0, `page 1 has no console errors ${errors.join(" | ")}`);
    await page.close();
  }

  // --- page 2: optimizer race ---------------------------------------------------------------------
  {
    const { page, errors, answer: race } = await open("race", "/api/race");
    check(race.function === "rosenbrock", "page 2 opens on Rosenbrock");
    const adam = race.runs.find((r) => r.optimizer.startsWith("adam"));
    const dist = (k) => Math.hypot(adam.x[k] - 1, adam.y[k] - 1);
    const last = adam.x.length - 1;
    check(dist(last) < 0.5 * dist(0), `Adam moves toward (1, 1): distance ${dist(0).toFixed(3)} -> ${dist(last).toFixed(3)}`);
    // The drawn path ends where the trajectory ends.
    await page.waitForSelector("#race-plot g.trajectories[data-done]");
    check((await page.locator("#race-plot path.trajectory").count()) === race.runs.length, "page 2 draws every trajectory");
    check((await page.locator("#race-plot .contours path").count()) > 5, "page 2 draws contours");
    await page.screenshot({ path: join(artifacts, "2-race.png"), fullPage: true });

    // Clicking the plot sets a new start and races again from there.
    const again = page.waitForResponse((r) => r.url().endsWith("/api/race"));
    const plot = await page.locator("#race-plot").boundingBox();
    await page.mouse.click(plot.x + plot.width * 0.3, plot.y + plot.height * 0.3);
    const moved = await (await again).json();
    check(moved.start[0] !== race.start[0] || moved.start[1] !== race.start[1], "a click on the plot sets the start");
    check(errors.length === 0, `page 2 has no console errors ${errors.join(" | ")}`);
    await page.close();
  }

  // --- page 3: dynamics and momentum --------------------------------------------------------------
  {
    const { page, errors } = await open("dynamics");
    await page.waitForSelector("#regime-plot rect.regime");
    await page.waitForSelector("#trajectory-plot path.trajectory");
    check((await page.locator("#regime-plot line.stable-bound").count()) === 1, "page 3 marks the stable bound");
    check((await page.locator("#regime-plot line.optimal-lr").count()) === 1, "page 3 marks the optimal α");
    const regimes = await page.locator("#regime-plot rect.regime").evaluateAll((rs) => new Set(rs.map((r) => r.dataset.regime)).size);
    check(regimes >= 3, `page 3 shades at least three regimes (${regimes})`);
    await page.click("#optimal-momentum");
    await page.waitForFunction(() => Number(document.querySelector("#beta")?.value) > 0);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(artifacts, "3-dynamics.png"), fullPage: true });
    check(errors.length === 0, `page 3 has no console errors ${errors.join(" | ")}`);
    await page.close();
  }

  // --- page 4: Taylor ----------------------------------------------------------------------------
  {
    const { page, errors, answer: initial } = await open("taylor", "/api/taylor/local");
    await page.waitForSelector("#taylor-chart canvas");
    await page.waitForSelector("#critical-points td");
    await page.waitForFunction(() => document.querySelector("#taylor-error")?.dataset.maxError !== undefined);
    const low = Number(await page.locator("#taylor-error").getAttribute("data-max-error"));
    // A higher degree follows sin further: its largest error on [−10, 10] is smaller.
    await page.locator("#degree").fill("13");
    await page.locator("#degree").dispatchEvent("input");
    await page.waitForFunction((e) => Number(document.querySelector("#taylor-error")?.dataset.maxError) !== e, low);
    const high = Number(await page.locator("#taylor-error").getAttribute("data-max-error"));
    check(high < low, `page 4: degree 13 follows sin on [−2π, 2π] better than degree 3 (max error ${low.toExponential(2)} -> ${high.toExponential(2)})`);
    check((await page.locator("#taylor-panels svg").count()) === 3, "page 4 draws f, m1 and m2");
    check((await page.locator("#taylor-panels path.critical.minimum").count()) === 12, "page 4 marks Himmelblau's four minima on each panel");
    const kind = await text(page, "#point-kind");
    const local = page.waitForResponse((r) => r.url().endsWith("/api/taylor/local"));
    await page.locator("#taylor-panels circle.expansion-point").first().scrollIntoViewIfNeeded();
    const marker = await page.locator("#taylor-panels circle.expansion-point").first().boundingBox();
    await page.mouse.move(marker.x + marker.width / 2, marker.y + marker.height / 2);
    await page.mouse.down();
    await page.mouse.move(marker.x + 60, marker.y - 40, { steps: 5 });
    await page.mouse.up();
    const moved = await (await local).json();
    const dx = moved.point[0] - initial.point[0];
    const dy = moved.point[1] - initial.point[1];
    check(dx > 0 && dy > 0, `dragging right and up moves the expansion point (${initial.point.map((v) => v.toFixed(2))}) -> (${moved.point.map((v) => v.toFixed(2))}); ${kind}`);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(artifacts, "4-taylor.png"), fullPage: true });
    check(errors.length === 0, `page 4 has no console errors ${errors.join(" | ")}`);
    await page.close();
  }

  // --- page 5: network playground -----------------------------------------------------------------
  {
    const { page, errors } = await open("playground");
    await page.locator("#pg-dataset").selectOption("moons");
    await page.locator("#pg-steps").fill("150");
    await page.locator("#pg-steps").dispatchEvent("change");
    await page.click("#pg-train");
    await page.waitForSelector("#pg-summary[data-done]", { timeout: 60000 });
    const first = Number(await page.locator("#pg-summary").getAttribute("data-first-loss"));
    const last = Number(await page.locator("#pg-summary").getAttribute("data-last-loss"));
    const step = Number(await page.locator("#pg-summary").getAttribute("data-step"));
    check(step === 150, `page 5 trains 150 steps (${step})`);
    check(last < 0.7 * first, `page 5: a short training lowers the test loss (${first.toFixed(4)} -> ${last.toFixed(4)})`);
    check((await page.locator("#pg-plot .regions rect").count()) === 48 * 48, "page 5 draws the decision boundary");
    check((await page.locator("#pg-meters .meter").count()) === 2, "page 5 shows a dead-unit meter per ReLU layer");
    await page.screenshot({ path: join(artifacts, "5-playground.png"), fullPage: true });
    const reg = page.waitForResponse((r) => r.url().endsWith("/api/playground/regularization"));
    await page.click("#pg-compare");
    check((await reg).status() === 200, "page 5 trains one network per λ");
    await page.waitForFunction(() => document.querySelectorAll("#pg-regularization svg").length === 4);
    await page.screenshot({ path: join(artifacts, "5-playground-regularization.png"), fullPage: true });
    check(errors.length === 0, `page 5 has no console errors ${errors.join(" | ")}`);
    await page.close();
  }

  // --- page 6: runs -------------------------------------------------------------------------------
  {
    const { page, errors } = await open("runs");
    await page.waitForSelector("#run-list input[type=checkbox]");
    await page.locator("#run-list input[type=checkbox]").first().check();
    await page.waitForSelector(".chart-box canvas");
    check(true, "page 6 lists the run and draws its loss");
    await page.screenshot({ path: join(artifacts, "6-runs.png"), fullPage: true });
    check(errors.length === 0, `page 6 has no console errors ${errors.join(" | ")}`);
    await page.close();
  }

  // Navigation lists exactly the registered pages.
  {
    const { page } = await open("linear");
    const links = await page.locator("#nav a").allTextContents();
    check(links.length === 6, `navigation lists the pages that exist: ${links.join(", ")}`);
    await page.close();
  }
} catch (e) {
  failures.push(String(e?.stack ?? e));
  console.log(`FAIL ${e?.stack ?? e}`);
} finally {
  await browser.close();
  proc.kill("SIGTERM");
  rmSync(runs, { recursive: true, force: true });
}
console.log(`browser tests: ${failures.length === 0 ? "passed" : `${failures.length} failed`} in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${artifacts}`);
process.exit(failures.length === 0 ? 0 : 1);
