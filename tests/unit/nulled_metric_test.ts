import assert from "node:assert/strict";
import { Counter, Registry } from "prom-client";
import { NULL_OUTCOMES, type NulledCounts } from "../../lib/pin/clean_outcomes.ts";
import {
  addNulled,
  type NulledCounter,
  startNulledAtZero,
} from "../../lib/stream/nulled_metric.ts";
import { CLEAN_NULLED_METRIC, createStreamMetrics } from "../../lib/stream/stream_metrics.ts";

function _counter(): NulledCounter {
  return new Counter({
    name: "test_nulled_total",
    help: "test",
    labelNames: ["field", "reason"],
    registers: [],
  });
}

async function _values(counter: NulledCounter): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { labels, value } of (await counter.get()).values) {
    out[`${labels.field}.${labels.reason}`] = value;
  }
  return out;
}

Deno.test("[stream] the nulled counter is served at zero for every field and reason it can count", async () => {
  const registry = new Registry();
  createStreamMetrics(registry);
  const text = await registry.metrics();
  for (const { field, reason } of NULL_OUTCOMES) {
    assert.ok(
      text.includes(`${CLEAN_NULLED_METRIC}{field="${field}",reason="${reason}"} 0`),
      `${field}.${reason}`,
    );
  }
});

Deno.test("[stream] addNulled adds a batch's counts with one increment per label set", async () => {
  const counter = startNulledAtZero(_counter());
  const calls: unknown[] = [];
  const inc = counter.inc.bind(counter);
  counter.inc = ((...args: Parameters<typeof inc>) => {
    calls.push(args);
    return inc(...args);
  }) as typeof counter.inc;
  const batch: NulledCounts = {
    follower_count: { sentinel: 40, unparseable: 2 },
    tag_list: { empty_list: 1 },
  };
  addNulled(counter, batch);
  addNulled(counter, { follower_count: { unparseable: 3 } });
  addNulled(counter, {});
  assert.equal(calls.length, 4);
  const values = await _values(counter);
  assert.equal(values["follower_count.sentinel"], 40);
  assert.equal(values["follower_count.unparseable"], 5);
  assert.equal(values["tag_list.empty_list"], 1);
  assert.equal(values["title.sentinel"], 0);
  assert.equal(Object.keys(values).length, NULL_OUTCOMES.length);
});
