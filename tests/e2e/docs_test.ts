/**
 * The API reference in a real browser: headless Chromium opens `/docs` of a
 * real edge started in-process on the embedded bus; Swagger UI, served by the
 * edge itself, must render every operation of `/openapi.json` (the `/pin`
 * alias among them) with the statuses each answers, under the page's strict
 * Content-Security-Policy, without any error or request elsewhere. Its
 * screenshots at desktop and phone width are kept under test-results/docs/.
 *
 * Without Chromium the test is ignored locally and fails under CI=1.
 *
 * @module
 */

import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startEdge } from "../../edge/server.ts";
import { openApiDocument } from "../../edge/openapi.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { loadConfig } from "../../lib/runtime/config.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { testIfAvailable } from "../services/test_with_service.ts";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  missingChromium,
  screenshotFolder,
  watchErrors,
} from "../fixtures/browser.ts";

// The page's globals, as used by the functions this file runs in the browser.
declare const document: { documentElement: { scrollWidth: number } };
declare const innerWidth: number;

const NAME = "[e2e] GET /docs renders every operation of /openapi.json and logs no error";

async function run(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "docs-e2e-" });
  const shots = await screenshotFolder("docs");
  const logger = createLogger({ level: "silent" });
  const config = loadConfig({ HOST: "127.0.0.1", PORT: "0", PIPELINE_DATA_DIR: dir });
  const bus = await createEmbeddedBus({ dir: `${dir}/bus`, logger });
  const edge = await startEdge({ config, bus, logger, registry: createProcessRegistry() });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    const elsewhere: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(edge.url) && !request.url().startsWith("data:")) {
        elsewhere.push(request.url());
      }
    });

    await page.goto(`${edge.url}/docs`);
    assert.equal(await page.title(), "Pin pipeline · API reference");
    const summaries = page.locator(".opblock-summary");
    await summaries.first().waitFor({ timeout: 30_000 });
    const rendered = await summaries.evaluateAll((nodes) =>
      nodes.map((node) => (node as unknown as { innerText: string }).innerText.split("\n")[0])
    );
    const operations = await page.locator(".opblock-summary-path").evaluateAll((nodes) =>
      nodes.map((node) => (node as unknown as { dataset: { path: string } }).dataset.path)
    );
    const methods = await page.locator(".opblock-summary-method").allInnerTexts();
    const seen = methods.map((method, i) => `${method} ${operations[i]}`);
    for (const expected of ["POST /pin/", "POST /pin", "POST /pins", "GET /dashboard/state"]) {
      assert.ok(seen.includes(expected), `${expected} is not rendered: ${seen.join(", ")}`);
    }
    assert.equal(seen.length, Object.keys(openApiDocument.paths).length, rendered.join(" | "));

    // The alias, opened: the same statuses as POST /pin/.
    await page.locator("#operations-default-postPinAlias").click();
    const statuses = page.locator(
      "#operations-default-postPinAlias tr.response .response-col_status",
    );
    await statuses.first().waitFor();
    assert.deepEqual(
      (await statuses.allInnerTexts()).map((status) => status.trim()),
      Object.keys(openApiDocument.paths["/pin/"].post.responses),
    );
    await page.screenshot({ path: `${shots}/desktop-1280x800.png` });

    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(300);
    const { scrollWidth, width } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      width: innerWidth,
    }));
    assert.ok(scrollWidth <= width, `the page is ${scrollWidth} px wide in ${width} px`);
    await page.screenshot({ path: `${shots}/phone-360x740.png` });

    assert.deepEqual(errors, [], "the browser logged errors");
    assert.deepEqual(elsewhere, [], "the page asked something other than the edge");
    console.log(`Screenshots in ${shots}`);
  } finally {
    await browser.close();
    await edge.shutdown();
    await bus.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

testIfAvailable(await missingChromium(), { name: NAME, fn: run });
