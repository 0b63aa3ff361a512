/**
 * Samples the CPU of a running Deno process started with `--inspect=HOST:PORT`
 * through its inspector (the V8 sampling profiler), writes the
 * `.cpuprofile` (open it in Chrome DevTools), and prints the functions with
 * the most self time.
 *
 *   deno run -A --inspect=127.0.0.1:9229 edge/main.ts &   # then load it
 *   deno run -A tests/bench/cpu_profile.ts --port 9229 --seconds 10 --out edge.cpuprofile
 *   deno run -A tests/bench/cpu_profile.ts --summarise edge.cpuprofile [--top 25]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { formatTable } from "../../lib/runtime/table.ts";

interface _Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** A V8 CPU profile. */
interface CpuProfile {
  nodes: _Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

async function _record(port: number, seconds: number): Promise<CpuProfile> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let id = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data.id !== undefined) pending.get(data.id)?.(data.result);
  };
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      pending.set(++id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 500 });
  await call("Profiler.start");
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const { profile } = await call("Profiler.stop") as { profile: CpuProfile };
  socket.close();
  return profile;
}

function _key(node: _Node): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url.replace(/^.*\/(node_modules|npm|wt\/[^/]+)\//, "")}:${lineNumber + 1}`
    : "";
  return `${functionName || "(anonymous)"}\u0000${where}`;
}

/**
 * The functions with the most self time in a profile, with their total
 * (self and callees) time.
 *
 * @returns Rows of function, where, self ms, self share, total ms, total share.
 */
export function topSelfTime(
  profile: CpuProfile,
  top: number,
): Array<[string, string, number, string, number, string]> {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const nodeSelf = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    nodeSelf.set(profile.samples[i]!, (nodeSelf.get(profile.samples[i]!) ?? 0) + delta);
    total += delta;
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  // Depth first from the root; a function's total counts each stack once, however deep it recurs.
  const open = new Map<string, number>();
  function visit(id: number): number {
    const node = byNode.get(id)!;
    const key = _key(node);
    open.set(key, (open.get(key) ?? 0) + 1);
    let sum = nodeSelf.get(id) ?? 0;
    self.set(key, (self.get(key) ?? 0) + sum);
    for (const child of node.children ?? []) sum += visit(child);
    open.set(key, open.get(key)! - 1);
    if (open.get(key) === 0) inclusive.set(key, (inclusive.get(key) ?? 0) + sum);
    return sum;
  }
  visit(profile.nodes[0]!.id);
  const share = (us: number) => `${(100 * us / total).toFixed(1)}%`;
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([key, us]) => {
    const [name, where] = key.split("\u0000") as [string, string];
    const all = inclusive.get(key) ?? us;
    return [
      name,
      where.slice(-60),
      Math.round(us / 1000),
      share(us),
      Math.round(all / 1000),
      share(all),
    ];
  });
}

/**
 * The functions with the most total time (self and callees).
 *
 * @returns The same rows as {@linkcode topSelfTime}, by total time.
 */
export function topTotalTime(profile: CpuProfile, top: number) {
  return topSelfTime(profile, profile.nodes.length).sort((a, b) => b[4] - a[4]).slice(0, top);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string", default: "9229" },
      seconds: { type: "string", default: "10" },
      out: { type: "string" },
      summarise: { type: "string" },
      top: { type: "string", default: "25" },
    },
  });
  let profile: CpuProfile;
  if (values.summarise) {
    profile = JSON.parse(await Deno.readTextFile(values.summarise));
  } else {
    profile = await _record(Number(values.port), Number(values.seconds));
    if (values.out) await Deno.writeTextFile(values.out, JSON.stringify(profile));
  }
  const header = ["function", "where", "self ms", "self", "total ms", "total"];
  console.log(formatTable(header, topSelfTime(profile, Number(values.top))));
  console.log(
    `\nBy total time:\n${formatTable(header, topTotalTime(profile, Number(values.top)))}`,
  );
}
