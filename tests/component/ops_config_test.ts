/**
 * The monitoring configuration in ops/: promtool validates the Prometheus
 * config and rules and runs the rules' unit tests (ops/alerts_test.yml);
 * the alerts and the Grafana dashboard are checked for what they must
 * cover. Whether each metric they name exists is checked against the
 * running processes in tests/integration/monitoring_test.ts.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  alertRules,
  dashboardPanels,
  dashboards,
  opsExpressions,
  parseYaml,
  promqlMetricNames,
  readRepoText,
  REPO,
  SYNTHETIC_METRICS,
} from "../fixtures/ops_stack.ts";
import { testIfAvailable } from "../services/test_with_service.ts";

const _PROMTOOL_CANDIDATES = ["/usr/bin/promtool", "promtool"];

async function _findPromtool(): Promise<string | undefined> {
  for (const candidate of _PROMTOOL_CANDIDATES) {
    try {
      const { success } = await new Deno.Command(candidate, {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (success) return candidate;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return undefined;
}

const promtool = await _findPromtool();

/** A test that needs promtool: ignored without it, failing without it under CI. */
function _testWithPromtool(name: string, fn: (binary: string) => Promise<void>): void {
  testIfAvailable(
    promtool === undefined ? "promtool is not installed; apt-get install prometheus" : undefined,
    { name, fn: () => fn(promtool!) },
  );
}

async function _promtool(binary: string, args: string[]): Promise<void> {
  const { code, stdout, stderr } = await new Deno.Command(binary, {
    args,
    cwd: fileURLToPath(REPO),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  assert.equal(
    code,
    0,
    `promtool ${args.join(" ")} exited ${code}:\n${decoder.decode(stdout)}${
      decoder.decode(stderr)
    }`,
  );
}

_testWithPromtool("[ops] promtool check config accepts ops/prometheus.yml", async (binary) => {
  await _promtool(binary, ["check", "config", "ops/prometheus.yml"]);
});

_testWithPromtool("[ops] promtool check rules accepts ops/alerts.yml", async (binary) => {
  await _promtool(binary, ["check", "rules", "ops/alerts.yml"]);
});

_testWithPromtool(
  "[ops] each alert fires, and stays silent, as ops/alerts_test.yml expects (promtool test rules)",
  async (binary) => {
    await _promtool(binary, ["test", "rules", "ops/alerts_test.yml"]);
  },
);

Deno.test("[ops] every alert has a unique name, a severity, a summary and a description", async () => {
  const rules = await alertRules();
  assert.ok(rules.length >= 8, `Only ${rules.length} alerts`);
  const names = rules.map((rule) => rule.alert);
  assert.deepEqual(names.filter((name, i) => names.indexOf(name) !== i), []);
  for (const rule of rules) {
    assert.match(rule.alert, /^Pipeline[A-Z]\w+$/, "alert names are PipelineCamelCase");
    assert.ok(["critical", "warning", "info"].includes(rule.labels?.severity ?? ""), rule.alert);
    assert.ok((rule.annotations?.summary ?? "").length > 10, `${rule.alert}: no summary`);
    assert.ok((rule.annotations?.description ?? "").length > 30, `${rule.alert}: no description`);
  }
});

Deno.test("[ops] the alerts cover what must page someone", async (t) => {
  const rules = await alertRules();
  const expressions = rules.map((rule) => rule.expr.replace(/\s+/g, " ").trim());
  const cases: Array<[string, RegExp]> = [
    ["ingest 5xx rate", /rate\(pipeline_http_requests_total\{status=~"5\.\."\}/],
    [
      "produce latency p99 from the histogram",
      /histogram_quantile\(0\.99, .*pipeline_produce_duration_seconds_bucket/,
    ],
    [
      "stream consumer lag growing over 10m",
      /(deriv|delta|increase)\(pipeline_stream_consumer_lag_records\[10m\]\)/,
    ],
    [
      "freshness p95 over 5 s",
      /histogram_quantile\(0\.95, .*pipeline_stream_freshness_seconds_bucket.*\) > 5$/,
    ],
    [
      "batch not successful for 26 h",
      /time\(\) - pipeline_batch_last_success_timestamp_seconds > 26 \* 3600/,
    ],
    ["batch success metric absent", /absent\(pipeline_batch_last_success_timestamp_seconds\)/],
    ["edge DLQ growing", /increase\(pipeline_ingest_dead_letters_total\[/],
    ["stream DLQ growing", /increase\(pipeline_stream_dead_letters_total\[/],
    ["a stalled stream partition", /pipeline_stream_partition_stalled\) == 1$/],
    ["a target down", /^up == 0$/],
  ];
  for (const [what, pattern] of cases) {
    await t.step(what, () => {
      assert.ok(
        expressions.some((expr) => pattern.test(expr)),
        `No alert expression matches ${pattern}`,
      );
    });
  }
});

Deno.test("[ops] the Grafana dashboard uses the provisioned datasource and covers every process", async (t) => {
  const datasources = parseYaml(
    await readRepoText("ops/grafana/provisioning/datasources/prometheus.yml"),
  ) as { datasources: Array<{ uid: string; type: string }> };
  const uids = new Set(datasources.datasources.map((datasource) => datasource.uid));
  const all = await dashboards();
  assert.ok(all.size >= 1, "No dashboard under ops/grafana/dashboards");
  const dashboardUids = [...all.values()].map((dashboard) => dashboard.uid);
  assert.equal(new Set(dashboardUids).size, dashboardUids.length, "Dashboard uids must differ");

  for (const [path, dashboard] of all) {
    await t.step(path, () => {
      assert.equal(typeof dashboard.title, "string");
      const panels = dashboardPanels(dashboard);
      const queries = panels.filter((panel) => panel.type !== "row");
      for (const panel of queries) {
        assert.ok(panel.targets?.length, `Panel "${panel.title}" has no query`);
        for (const source of [panel.datasource, ...panel.targets.map((x) => x.datasource)]) {
          assert.ok(uids.has(source?.uid ?? ""), `Panel "${panel.title}" uses ${source?.uid}`);
        }
      }
      const rows = panels.filter((panel) => panel.type === "row").map((panel) => panel.title);
      for (const section of ["Overview", "Ingest", "Stream", "Archive", "Batch"]) {
        assert.ok(rows.some((title) => title?.startsWith(section)), `No '${section}' row`);
      }
      const exprs = queries.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
      const overview: Array<[string, RegExp]> = [
        ["events/s in", /rate\(pipeline_ingest_events_accepted_total/],
        ["events/s processed", /rate\(pipeline_stream_events_processed_total/],
        ["lag", /pipeline_stream_consumer_lag_records/],
        ["freshness p50", /histogram_quantile\(0\.5, .*pipeline_stream_freshness_seconds_bucket/],
        ["freshness p95", /histogram_quantile\(0\.95, .*pipeline_stream_freshness_seconds_bucket/],
        ["produce latency", /pipeline_produce_duration_seconds_bucket/],
        ["DLQ", /pipeline_stream_dead_letters_total/],
        ["memory of each process", /^pipeline_process_resident_memory_bytes$/],
      ];
      for (const [what, pattern] of overview) {
        assert.ok(exprs.some((expr) => pattern.test(expr ?? "")), `No panel shows ${what}`);
      }
    });
  }
});

Deno.test("[ops] alerts and dashboards name only pipeline_ metrics (and Prometheus's own)", async () => {
  const wrong: string[] = [];
  for (const { source, expr } of await opsExpressions()) {
    const names = promqlMetricNames(expr);
    assert.ok(names.length > 0, `${source}: no metric found in ${expr}`);
    for (const name of names) {
      if (!name.startsWith("pipeline_") && !SYNTHETIC_METRICS.includes(name)) {
        wrong.push(`${source}: ${name}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("[ops] promqlMetricNames finds metric names and skips functions, labels and keywords", () => {
  assert.deepEqual(
    promqlMetricNames(
      `histogram_quantile(0.99, sum by (le, topic) (rate(a_bucket{result!="ok",x=~"y|z"}[5m])))`,
    ),
    ["a_bucket"],
  );
  assert.deepEqual(
    promqlMetricNames(`sum(rate(b_total[$__rate_interval])) / ignoring(x) c > 1e-9 and on() d`),
    ["b_total", "c", "d"],
  );
  assert.deepEqual(promqlMetricNames(`time() - max(e) > 26 * 3600 offset 5m`), ["e"]);
  assert.deepEqual(promqlMetricNames(`absent(f) or max(f) == 0`), ["f"]);
});
