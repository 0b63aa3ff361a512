/**
 * What the ops tests read: compose.yaml, deno.json tasks, the variables
 * lib/runtime/config.ts reads, the PromQL of ops/alerts.yml and the Grafana
 * dashboards, and the list of the pipeline's processes
 * ({@linkcode PIPELINE_PROCESSES}, the one place to extend when a process
 * is added).
 *
 * @module
 */

import { parse } from "yaml";

/** The repository root, as a file URL ending in `/`. */
export const REPO = new URL("../../", import.meta.url);

/** One long-running pipeline process: its compose service, deno task, and /metrics port variable. */
export interface PipelineProcess {
  /** The compose service, also the Prometheus job name in ops/prometheus.yml. */
  service: string;
  /** The deno task the service runs (`deno task <task>`); deno.json names its entry point. */
  task: string;
  /** The variable holding the port that serves `/metrics` and `/health`. */
  portVariable: "PORT" | "METRICS_PORT";
}

/**
 * The pipeline's long-running processes, each a compose service built from
 * the Dockerfile and a Prometheus scrape job. Add a process here; the
 * compose test then requires its service and scrape job, and the
 * monitoring test starts it and reads its /metrics.
 */
export const PIPELINE_PROCESSES: readonly PipelineProcess[] = [
  { service: "edge", task: "edge", portVariable: "PORT" },
  { service: "stream", task: "stream", portVariable: "METRICS_PORT" },
  { service: "archive", task: "archive", portVariable: "METRICS_PORT" },
  { service: "schedule", task: "schedule", portVariable: "METRICS_PORT" },
];

/**
 * Variables a pipeline process reads outside lib/runtime/config.ts: the AWS SDK's
 * default credential chain (lib/archive/s3_store.ts).
 */
export const SDK_VARIABLES: readonly string[] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

/** A compose service, as far as the tests look at it. */
export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | { target: number; published?: string | number }>;
  expose?: Array<string | number>;
  volumes?: Array<string | { type?: string; source?: string; target: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
}

/** compose.yaml, merge keys (`<<: *anchor`) resolved. */
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/**
 * Reads a repository file as text.
 *
 * @param path Relative to the repository root.
 */
export function readRepoText(path: string): Promise<string> {
  return Deno.readTextFile(new URL(path, REPO));
}

/**
 * Parses a YAML document with merge keys resolved, as docker compose does.
 *
 * @param text The YAML.
 */
export function parseYaml(text: string): unknown {
  return parse(text, { merge: true });
}

/** Reads and parses compose.yaml. */
export async function loadCompose(): Promise<ComposeFile> {
  return parseYaml(await readRepoText("compose.yaml")) as ComposeFile;
}

/**
 * A service's environment as a record of strings (list or map form).
 *
 * @param service The compose service.
 */
export function serviceEnv(service: ComposeService): Record<string, string> {
  const env: Record<string, string> = {};
  const raw = service.environment ?? {};
  if (Array.isArray(raw)) {
    for (const item of raw) {
      const at = item.indexOf("=");
      env[at < 0 ? item : item.slice(0, at)] = at < 0 ? "" : item.slice(at + 1);
    }
  } else {
    for (const [name, value] of Object.entries(raw)) {
      env[name] = value === null ? "" : String(value);
    }
  }
  return env;
}

/** The deno.json tasks. */
export async function denoTasks(): Promise<Record<string, string>> {
  const json = JSON.parse(await readRepoText("deno.json")) as {
    tasks?: Record<string, string | { command: string }>;
  };
  return Object.fromEntries(
    Object.entries(json.tasks ?? {}).map((
      [name, task],
    ) => [name, typeof task === "string" ? task : task.command]),
  );
}

/**
 * Splits a `deno run <flags> <file>` task into its flags and entry file.
 *
 * @param command The task's command line.
 * @returns null when the task is not a plain `deno run` of one file.
 */
export function denoRunTask(command: string): { flags: string[]; file: string } | null {
  const words = command.trim().split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "run") return null;
  const rest = words.slice(2);
  const fileAt = rest.findIndex((word) => !word.startsWith("-"));
  if (fileAt < 0 || fileAt !== rest.length - 1) return null;
  return { flags: rest.slice(0, fileAt), file: rest[fileAt]! };
}

/**
 * The environment variables lib/runtime/config.ts reads: the names passed to its
 * `read*(env, "NAME", ...)` calls.
 */
export async function configVariables(): Promise<string[]> {
  const source = await readRepoText("lib/runtime/config.ts");
  const names = [...source.matchAll(/\bread[A-Z]\w*\(\s*env\s*,\s*"([A-Z][A-Z0-9_]*)"/g)]
    .map((match) => match[1]!);
  return [...new Set(names)];
}

const _PROMQL_WORDS = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "inf",
  "nan",
  "start",
  "end",
]);

/**
 * The metric names a PromQL expression selects: identifiers that are not
 * functions, aggregations, keywords, label names or Grafana variables.
 *
 * @param expr The expression.
 * @returns The names, in order of first appearance.
 */
export function promqlMetricNames(expr: string): string[] {
  let text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$\w+/g, "1")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ");
  text = text.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, " ");
  const names: string[] = [];
  for (const match of text.matchAll(/(?<![\w.:])([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const word = match[1]!;
    if (match[2] !== undefined || _PROMQL_WORDS.has(word.toLowerCase())) continue;
    if (!names.includes(word)) names.push(word);
  }
  return names;
}

/** One PromQL expression and where it comes from. */
export interface SourcedExpression {
  /** E.g. `ops/alerts.yml PipelineTargetDown`. */
  source: string;
  expr: string;
}

/** An alerting rule of ops/alerts.yml. */
export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The alerting rules of ops/alerts.yml. */
export async function alertRules(): Promise<AlertRule[]> {
  const doc = parseYaml(await readRepoText("ops/alerts.yml")) as {
    groups: Array<{ name: string; rules: AlertRule[] }>;
  };
  return doc.groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);
}

/** The dashboard JSON files under ops/grafana/dashboards, by path. */
export async function dashboards(): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const dir = new URL("ops/grafana/dashboards/", REPO);
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".json")) {
      const path = `ops/grafana/dashboards/${entry.name}`;
      found.set(path, JSON.parse(await readRepoText(path)));
    }
  }
  return found;
}

/** A dashboard panel, as far as the tests look at it. */
export interface DashboardPanel {
  title?: string;
  type?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ expr?: string; datasource?: { type?: string; uid?: string } }>;
  panels?: DashboardPanel[];
}

/**
 * Every panel of a dashboard, those inside rows included.
 *
 * @param dashboard The parsed dashboard JSON.
 */
export function dashboardPanels(dashboard: Record<string, unknown>): DashboardPanel[] {
  const all: DashboardPanel[] = [];
  const walk = (panels: DashboardPanel[] | undefined) => {
    for (const panel of panels ?? []) {
      all.push(panel);
      walk(panel.panels);
    }
  };
  walk(dashboard.panels as DashboardPanel[] | undefined);
  return all;
}

/** The PromQL of ops/alerts.yml and of every Grafana dashboard target. */
export async function opsExpressions(): Promise<SourcedExpression[]> {
  const found: SourcedExpression[] = (await alertRules()).map((rule) => ({
    source: `ops/alerts.yml ${rule.alert}`,
    expr: rule.expr,
  }));
  for (const [path, dashboard] of await dashboards()) {
    for (const panel of dashboardPanels(dashboard)) {
      for (const target of panel.targets ?? []) {
        if (target.expr) found.push({ source: `${path} "${panel.title}"`, expr: target.expr });
      }
    }
  }
  return found;
}

/**
 * Metric names Prometheus makes up itself rather than scraping.
 */
export const SYNTHETIC_METRICS: readonly string[] = ["up", "scrape_duration_seconds"];
