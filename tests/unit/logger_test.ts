import assert from "node:assert/strict";
import { createLogger } from "../../lib/runtime/logger.ts";

function capture(
  level: "debug" | "info" | "warn" | "error" | "silent",
  format?: "json" | "pretty",
) {
  const lines: string[] = [];
  const now = () => new Date("2026-11-26T00:00:00Z");
  return { lines, log: createLogger({ level, format, write: (line) => lines.push(line), now }) };
}

Deno.test("[logger] writes one JSON object per line with bound fields", () => {
  const { lines, log } = capture("info");
  log.child({ component: "edge" }).info("Listening", { port: 8000 });
  assert.deepEqual(JSON.parse(lines[0]!), {
    time: "2026-11-26T00:00:00.000Z",
    level: "info",
    msg: "Listening",
    component: "edge",
    port: 8000,
  });
});

Deno.test("[logger] drops lines below its level", () => {
  const { lines, log } = capture("warn");
  log.debug("a");
  log.info("b");
  log.warn("c");
  log.error("d");
  assert.deepEqual(lines.map((line) => JSON.parse(line).msg), ["c", "d"]);
  const silent = capture("silent");
  silent.log.error("nothing");
  assert.equal(silent.lines.length, 0);
});

Deno.test("[logger] serialises errors with their cause", () => {
  const { lines, log } = capture("info");
  log.error("Failed", { error: new Error("outer", { cause: new TypeError("inner") }) });
  assert.deepEqual(JSON.parse(lines[0]!).error, {
    name: "Error",
    message: "outer",
    cause: { name: "TypeError", message: "inner" },
  });
});

Deno.test("[logger] pretty format is one readable line", () => {
  const { lines, log } = capture("info", "pretty");
  log.warn("Slow", { ms: 12 });
  assert.equal(lines[0], "2026-11-26T00:00:00.000Z WARN  Slow ms=12");
});
