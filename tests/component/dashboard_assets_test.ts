import assert from "node:assert/strict";
import { ASSETS_PATH, loadDashboardAssets } from "../../edge/dashboard/dashboard_assets.ts";

const STATIC = new URL("../../edge/dashboard/static/", import.meta.url);

Deno.test("[dashboard] every file of static/ is served, and every link between them is pinned", async (t) => {
  const assets = await loadDashboardAssets();
  await t.step("each file but the page template is an asset", async () => {
    const names = [];
    for await (const entry of Deno.readDir(STATIC)) {
      if (entry.name !== "index.html") names.push(entry.name);
    }
    const served = [...assets.files.keys()].filter((name) => name !== "chart.umd.min.js");
    assert.deepEqual(served.sort(), names.sort());
  });
  await t.step("module imports and style sheet imports carry the named file's hash", () => {
    const decoder = new TextDecoder();
    const pinned = new RegExp(`"${ASSETS_PATH}/([\\w.-]+)\\?v=(\\w+)"`, "g");
    let links = 0;
    for (const [name, asset] of assets.files) {
      if (!/\.(js|css)$/.test(name) || name === "chart.umd.min.js") continue;
      const text = decoder.decode(asset.body);
      assert.doesNotMatch(text, /from "\.\/|import "\.\/|@import url\("(?!\/)/, name);
      for (const [, linked, hash] of text.matchAll(pinned)) {
        assert.equal(`"${hash}"`, assets.files.get(linked!)?.etag, `${name} → ${linked}`);
        links++;
      }
    }
    assert.ok(links > 10, `${links} links`);
  });
});
