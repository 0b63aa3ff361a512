/**
 * The live dashboard in a real browser: headless Chromium (Debian's, driven
 * by playwright-core) opens the page of a real edge started in-process on
 * the embedded bus, PGlite (on disk) and the stream job; 2,000 generated
 * events are posted and the page must show them, draw its charts, switch
 * ranges, fit a 360 px wide phone without scrolling sideways, link nothing
 * dead, and log no error at all. Then the whole pipeline is stopped and
 * started again on the same data: the page must show the same events,
 * chart and freshness. Screenshots at desktop and phone width, before and
 * after the restart, are kept under test-results/dashboard/ (git-ignored;
 * the path is printed).
 *
 * Without Chromium the test is ignored locally and fails under CI=1.
 *
 * @module
 */

import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { type RunningEdge, startEdge } from "../../edge/server.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { loadConfig } from "../../lib/runtime/config.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { createPgliteClient } from "../../lib/realtime/pglite_client.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { startStreamJob } from "../../lib/stream/stream_job.ts";
import { createStreamMetrics } from "../../lib/stream/stream_metrics.ts";
import { testIfAvailable } from "../services/test_with_service.ts";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  missingChromium,
  screenshotFolder,
  watchErrors,
} from "../fixtures/browser.ts";

// The page's globals, as used by the functions this file runs in the browser (it is type-checked
// without the DOM library).
interface _PageElement {
  textContent: string | null;
  width: number;
  height: number;
  getContext(kind: "2d", options?: { willReadFrequently: boolean }): {
    drawImage(image: _PageElement, x: number, y: number): void;
    getImageData(x: number, y: number, w: number, h: number): ImageData;
  };
}
declare const document: {
  createElement(name: "canvas"): _PageElement;
  getElementById(id: string): _PageElement | null;
  querySelector(selector: string): _PageElement | null;
  querySelectorAll(selector: string): ArrayLike<{ href: string }>;
  documentElement: { scrollWidth: number };
};
declare const location: { search: string };
declare const innerWidth: number;
declare const Chart: {
  getChart(id: string): { data: { datasets: Array<{ data: Array<{ y: number }> }> } };
};

const NAME = "[e2e] the dashboard shows posted events live, fits a phone, survives a restart " +
  "and logs no error";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 360, height: 740 };

/** The pipeline of `deno task dev` minus archive and batch, on data under `dir`. */
async function startPipeline(dir: string) {
  const logger = createLogger({ level: "silent" });
  const config = loadConfig({ HOST: "127.0.0.1", PORT: "0", PIPELINE_DATA_DIR: dir });
  const bus = await createEmbeddedBus({ dir: `${dir}/bus`, logger });
  await Deno.mkdir(`${dir}/realtime`, { recursive: true });
  const realtime = createSqlRealtimeStore(
    await createPgliteClient(`${dir}/realtime`),
    "embedded",
    `${dir}/realtime`,
  );
  await realtime.migrate();
  const registry = createProcessRegistry();
  const edge: RunningEdge = await startEdge({ config, bus, logger, registry, realtime });
  const stream = await startStreamJob({
    bus,
    store: realtime,
    logger,
    metrics: createStreamMetrics(registry),
    topic: config.bus.pinsTopic,
    dlqTopic: config.bus.dlqTopic,
  });
  return {
    url: edge.url,
    async stop() {
      await edge.shutdown();
      await stream.stop();
      await realtime.close();
      await bus.close();
    },
  };
}

/** A running pipeline: its edge's URL, and how to stop it all. */
type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

/** Counts the canvas's painted pixels and hashes them, to tell "drawn" and "changed". */
function canvasInk(page: Page, id: string): Promise<{ ink: number; hash: number }> {
  return page.evaluate((canvasId) => {
    // Read a copy: reading the chart's own canvas again and again makes Chrome warn.
    const canvas = document.getElementById(canvasId)!;
    const copy = document.createElement("canvas");
    copy.width = canvas.width;
    copy.height = canvas.height;
    const context = copy.getContext("2d", { willReadFrequently: true });
    context.drawImage(canvas, 0, 0);
    const { data } = context.getImageData(0, 0, copy.width, copy.height);
    let ink = 0;
    let hash = 0;
    for (let i = 3; i < data.length; i += 4) {
      if (data[i]! > 0) ink++;
      hash = (hash * 31 + data[i - 3]! + data[i - 2]! * 7 + data[i - 1]! * 13 + data[i]!) | 0;
    }
    return { ink, hash };
  }, id);
}

/** The events the chart of events per step holds, in all. */
function chartedEvents(page: Page): Promise<number> {
  return page.evaluate(() =>
    Chart.getChart("chart-rate").data.datasets[0]!.data.reduce((n, point) => n + point.y, 0)
  );
}

function text(page: Page, selector: string): Promise<string> {
  return page.locator(selector).innerText();
}

function waitForText(page: Page, id: string, pattern: RegExp, timeout = 20_000) {
  return page.waitForFunction(
    ([element, source]) =>
      new RegExp(source).test(document.getElementById(element)?.textContent ?? ""),
    [id, pattern.source] as const,
    { timeout },
  );
}

/** Asserts the page does not scroll sideways, then saves its screenshots as `<name>*.png`. */
async function checkLayout(page: Page, shots: string, name: string): Promise<void> {
  await page.waitForTimeout(300); // the charts redraw on resize
  const { scrollWidth, width } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    width: innerWidth,
  }));
  assert.ok(scrollWidth <= width, `${name}: the page is ${scrollWidth} px wide in ${width} px`);
  await page.screenshot({ path: `${shots}/${name}.png` });
  await page.screenshot({ path: `${shots}/${name}-full.png`, fullPage: true });
}

/** Every link of the page to the edge itself answers 200. */
async function checkLinks(page: Page, origin: string): Promise<void> {
  const links = await page.evaluate(() =>
    Array.from(document.querySelectorAll("a[href]"), (a) => a.href)
  );
  const own = links.filter((link) => link.startsWith(origin));
  assert.ok(own.length >= 4, `links: ${links.join(", ")}`);
  for (const link of own) {
    const response = await fetch(link);
    await response.body?.cancel();
    assert.equal(response.status, 200, link);
  }
}

async function run(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dashboard-e2e-" });
  const shots = await screenshotFolder("dashboard");
  let pipeline: Pipeline | null = await startPipeline(`${dir}/data`);
  let url = pipeline.url;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: DESKTOP, colorScheme: "light" });
    let page = await context.newPage();
    const errors = [watchErrors(page)];

    await page.goto(`${url}/`);
    await page.locator("#status[data-state=live]").waitFor();
    assert.equal(await page.title(), "Pin pipeline · live");
    assert.equal(await text(page, "#kpi-events"), "0");
    assert.equal(await text(page, "#years-empty"), "No batch run yet");
    assert.match(await text(page, "#h-batch .h-value"), /No batch run yet/);
    assert.equal(await text(page, "#kpi-fresh"), "n/a");
    assert.equal(await page.locator("#years-link").isVisible(), false, "no batch data to link");
    await checkLinks(page, url);
    const rateBefore = await canvasInk(page, "chart-rate");
    assert.ok(rateBefore.ink > 0, "the events chart draws its axes before any event");

    // 2,000 events in four requests 600 ms apart.
    const next = createPinGenerator({ seed: 2026, posters: 300 });
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${url}/pins`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(Array.from({ length: 500 }, next)),
      });
      assert.equal((await response.json()).accepted, 500);
      await new Promise((resolve) => setTimeout(resolve, 600));
    }

    await waitForText(page, "kpi-events", /^2k$/);
    await waitForText(page, "kpi-rate", /^(?!0(\/s)?$)/, 10_000);
    await waitForText(page, "kpi-rate-sub", / 2k in 15 min$/, 10_000);
    await waitForText(page, "kpi-fresh", /^\d+(\.\d)? (ms|s)$/, 10_000);
    assert.equal(await page.locator("#profiles li").count(), 10);
    assert.match(await text(page, "#kpi-media"), /^\d+% · \d+%$/);
    assert.match(await text(page, "#h-lag .h-value"), /^0 records$/);
    assert.match(await text(page, "#h-fresh .h-sub"), /^p50 .* · last 1k events · /);
    assert.equal(await text(page, "#h-dlq .h-value"), "0");
    assert.match(await text(page, "#status-text"), /^Live · /);
    assert.equal(await text(page, "#rate-title"), "Events per minute");
    assert.equal(await chartedEvents(page), 2000);
    for (const id of ["chart-rate", "chart-media", "chart-categories"]) {
      const { ink } = await canvasInk(page, id);
      assert.ok(ink > 2000, `${id} has ${ink} painted pixels`);
    }
    assert.notEqual((await canvasInk(page, "chart-rate")).hash, rateBefore.hash);
    await checkLayout(page, shots, "desktop-1280x800");

    // The range selector: each range still covers the events, in its own step; the URL keeps it.
    const ranges = {
      "24h": "Events per 10 min",
      "7d": "Events per hour",
      "1h": "Events per minute",
    };
    for (const [range, title] of Object.entries(ranges)) {
      await page.getByRole("button", { name: range, exact: true }).click();
      await page.waitForFunction((search) => location.search === search, `?window=${range}`);
      await waitForText(page, "rate-title", new RegExp(`^${title}$`));
      assert.equal(
        await page.getByRole("button", { name: range, exact: true }).getAttribute("aria-pressed"),
        "true",
      );
      assert.equal(await text(page, "#kpi-events"), "2k");
      assert.equal(await chartedEvents(page), 2000, range);
    }
    assert.equal(await page.locator(".window-label").first().innerText(), "last hour");

    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForTimeout(100);
    await page.screenshot({ path: `${shots}/desktop-1280x800-dark.png` });

    await page.setViewportSize(PHONE);
    await page.emulateMedia({ colorScheme: "light" });
    await checkLayout(page, shots, "phone-360x740");
    const freshness = await text(page, "#kpi-fresh");

    // A restart of everything on the same data: the page shows what it showed.
    await page.close();
    const first: Pipeline = pipeline;
    pipeline = null;
    await first.stop();
    pipeline = await startPipeline(`${dir}/data`);
    url = pipeline.url;
    page = await context.newPage();
    errors.push(watchErrors(page));
    await page.setViewportSize(DESKTOP);
    await page.goto(`${url}/?window=1h`);
    await page.locator("#status[data-state=live]").waitFor();
    await waitForText(page, "kpi-events", /^2k$/);
    await waitForText(page, "kpi-fresh", new RegExp(`^${freshness.replace(".", "\\.")}$`));
    assert.equal(await chartedEvents(page), 2000);
    assert.ok((await canvasInk(page, "chart-rate")).ink > 2000);
    assert.equal(await page.locator("#profiles li").count(), 10);
    assert.match(
      await text(page, "#kpi-rate-sub"),
      / 0 in 15 min$/,
      "this edge's own, since start",
    );
    await checkLinks(page, url);
    await checkLayout(page, shots, "desktop-1280x800-after-restart");
    await page.setViewportSize(PHONE);
    await checkLayout(page, shots, "phone-360x740-after-restart");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForTimeout(100);
    await page.screenshot({ path: `${shots}/phone-360x740-dark-full.png`, fullPage: true });

    assert.deepEqual(errors.flat(), [], "the browser logged errors");
    const files = [...Deno.readDirSync(shots)].map((entry) => entry.name).sort();
    console.log(`Screenshots in ${shots}: ${files.join(", ")}`);
  } finally {
    await browser.close();
    await pipeline?.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

testIfAvailable(await missingChromium(), { name: NAME, fn: run });
