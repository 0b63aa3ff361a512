import assert from "node:assert/strict";
import { createLogger } from "../../lib/runtime/logger.ts";
import { describeCase } from "../fuzz/describe_case.ts";
import { REAL } from "../fuzz/pipeline_adapters.ts";
import { runPipelineFuzz } from "../fuzz/pipeline_fuzz.ts";
import { formatViolations } from "../fuzz/violation.ts";
import type { ServiceName } from "../services/service_definition.ts";
import { serviceUnavailableReason, testWithService } from "../services/test_with_service.ts";

const SERVICES: ServiceName[] = ["postgres", "s3", "cassandra"];
// testWithService probes one service: hand it the first one down, if any, so that the test is
// ignored (or fails under CI) naming it.
const reasons = await Promise.all(SERVICES.map(serviceUnavailableReason));
const missing = SERVICES.find((_, i) => reasons[i] !== undefined) ?? "cassandra";

await testWithService(missing, {
  name:
    "[fuzz] the pipeline keeps its promises on seeded arbitrary input (PostgreSQL, S3Proxy, Cassandra)",
  async fn() {
    const report = await runPipelineFuzz({
      runs: 4,
      seed: 20_261_127,
      adapters: REAL,
      cases: {
        avoid: new Set(["cross-day", "far-years", "deep-nesting"]),
        maxSteps: 6,
        maxBatchItems: 30,
      },
      shrinkBudgetMs: 30_000,
      logger: createLogger({ level: "warn" }),
    });
    const failure = report.failures[0];
    assert.ok(
      failure === undefined,
      failure &&
        `${formatViolations(failure.violations)}\n\nshrunk case:\n${
            describeCase(failure.counterexample)
          }\n` +
          `replay: ${failure.replay}`,
    );
    assert.equal(report.cases, 4);
  },
});
