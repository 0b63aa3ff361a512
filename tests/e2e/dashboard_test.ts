/**
 * The live dashboard in a real browser: headless Chromium (Debian's, driven
 * by playwright-core) opens the page of a real edge started in-process on
 * the embedded bus, PGlite and the stream job; 2,000 generated events are
 * posted and the page must show them, its charts must be drawn, and the
 * browser must log no error at all. Screenshots at laptop and phone width,
 * light and dark, are kept in the test's temporary folder (the path is
 * printed).
 *
 * Without Chromium the test is ignored locally and fails under CI=1.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { startEdge } from "../../edge/server.ts";
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
  documentElement: { scrollWidth: number; clientWidth: number };
};
declare const location: { search: string };

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];
const NAME = "[e2e] the dashboard shows posted events live, draws its charts and logs no error";

async function _missingChromium(): Promise<string | undefined> {
  try {
    await Deno.stat(CHROMIUM);
    return undefined;
  } catch {
    return `no Chromium at ${CHROMIUM}; apt-get install chromium, or set CHROMIUM_PATH`;
  }
}

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

function text(page: Page, selector: string): Promise<string> {
  return page.locator(selector).innerText();
}

async function run(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dashboard-e2e-" });
  const shots = `${dir}/screenshots`;
  await Deno.mkdir(shots);
  const logger = createLogger({ level: "silent" });
  const config = loadConfig({ HOST: "127.0.0.1", PORT: "0", PIPELINE_DATA_DIR: `${dir}/data` });
  const bus = await createEmbeddedBus({ dir: `${dir}/data/bus`, logger });
  const realtime = createSqlRealtimeStore(
    await createPgliteClient("memory://"),
    "embedded",
    "memory",
  );
  const registry = createProcessRegistry();
  let context: BrowserContext | null = null;
  const errors: string[] = [];
  try {
    await realtime.migrate();
    const edge = await startEdge({ config, bus, logger, registry, realtime });
    const stream = await startStreamJob({
      bus,
      store: realtime,
      logger,
      metrics: createStreamMetrics(registry),
      topic: config.bus.pinsTopic,
      dlqTopic: config.bus.dlqTopic,
    });
    try {
      context = await chromium.launchPersistentContext(`${dir}/profile`, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 1280, height: 800 },
        colorScheme: "light",
      });
      const page = context.pages()[0] ?? await context.newPage();
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") {
          errors.push(`console.${message.type()}: ${message.text()}`);
        }
      });
      page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
      page.on("requestfailed", (request) => {
        errors.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
      });
      page.on("response", (response) => {
        if (response.status() >= 400) errors.push(`HTTP ${response.status()} ${response.url()}`);
      });

      await page.goto(`${edge.url}/`);
      await page.locator("#status[data-state=live]").waitFor();
      assert.equal(await page.title(), "Pin pipeline · live");
      assert.equal(await text(page, "#kpi-events"), "0");
      assert.equal(await page.locator("#years-empty").innerText(), "No batch run yet");
      assert.match(await text(page, "#h-batch .h-value"), /No batch run yet/);
      const rateBefore = await canvasInk(page, "chart-rate");
      assert.ok(rateBefore.ink > 0, "the rate chart draws its axes before any event");

      // 2,000 events in four requests 600 ms apart, so the rate chart has a shape.
      const next = createPinGenerator({ seed: 2026, posters: 300 });
      for (let i = 0; i < 4; i++) {
        const response = await fetch(`${edge.url}/pins`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(Array.from({ length: 500 }, next)),
        });
        assert.equal((await response.json()).accepted, 500);
        await new Promise((resolve) => setTimeout(resolve, 600));
      }

      await page.waitForFunction(
        () => document.getElementById("kpi-events")?.textContent === "2k",
        undefined,
        { timeout: 20_000 },
      );
      await page.waitForFunction(
        () => !/^0(\/s)?$/.test(document.getElementById("kpi-rate")?.textContent ?? "0"),
        undefined,
        { timeout: 10_000 },
      );
      await page.waitForFunction(
        () => / 2k in 15 min$/.test(document.getElementById("kpi-rate-sub")?.textContent ?? ""),
        undefined,
        { timeout: 10_000 },
      );
      assert.equal(await page.locator("#profiles li").count(), 10);
      assert.match(await text(page, "#kpi-media"), /^\d+% · \d+%$/);
      assert.match(await text(page, "#h-lag .h-value"), /^0 records$/);
      assert.match(await text(page, "#h-fresh .h-value"), /^\d+(\.\d)? (ms|s)$/);
      assert.equal(await text(page, "#h-dlq .h-value"), "0");
      assert.match(await text(page, "#status-text"), /^Live · /);
      for (const id of ["chart-rate", "chart-media", "chart-categories"]) {
        const { ink } = await canvasInk(page, id);
        assert.ok(ink > 2000, `${id} has ${ink} painted pixels`);
      }
      assert.notEqual((await canvasInk(page, "chart-rate")).hash, rateBefore.hash);
      await page.screenshot({ path: `${shots}/dashboard-1280x800-light.png` });
      await page.screenshot({ path: `${shots}/dashboard-1280-full-light.png`, fullPage: true });

      // The window selector: 1h still covers the events, and the URL remembers it.
      await page.getByRole("button", { name: "1h" }).click();
      await page.waitForFunction(() => location.search === "?window=1h");
      assert.equal(
        await page.getByRole("button", { name: "1h" }).getAttribute("aria-pressed"),
        "true",
      );
      await page.waitForFunction(() =>
        document.querySelector(".window-label")?.textContent === "last hour"
      );
      assert.equal(await text(page, "#kpi-events"), "2k");

      await page.emulateMedia({ colorScheme: "dark" });
      await page.waitForTimeout(100);
      await page.screenshot({ path: `${shots}/dashboard-1280x800-dark.png` });

      await page.setViewportSize({ width: 390, height: 844 });
      await page.emulateMedia({ colorScheme: "light" });
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() =>
        document.documentElement.scrollWidth - document.documentElement.clientWidth
      );
      assert.equal(overflow, 0, "no horizontal scrolling at phone width");
      await page.screenshot({ path: `${shots}/dashboard-390x844-light.png` });
      await page.screenshot({ path: `${shots}/dashboard-390-full-light.png`, fullPage: true });
      await page.emulateMedia({ colorScheme: "dark" });
      await page.waitForTimeout(100);
      await page.screenshot({ path: `${shots}/dashboard-390-full-dark.png`, fullPage: true });

      assert.deepEqual(errors, [], "the browser logged errors");
      console.log(`Screenshots: ${shots}`);
    } finally {
      await context?.close();
      await edge.shutdown();
      await stream.stop();
    }
  } finally {
    await realtime.close();
    await bus.close();
    await Deno.remove(`${dir}/data`, { recursive: true }).catch(() => {});
    await Deno.remove(`${dir}/profile`, { recursive: true }).catch(() => {});
  }
}

testIfAvailable(await _missingChromium(), { name: NAME, fn: run });
