/**
 * A task's `--help`: usage, flags, the environment variables it reads with
 * their defaults (as `loadConfig` reads them), examples and exit codes.
 *
 * @module
 */

import type { FlagSpec, TaskSpec } from "./cli_args.ts";
import { loadConfig } from "./config.ts";
import { ENV_GROUPS } from "./env_catalog.ts";
import { recordEnvReads } from "./env_vars.ts";

const _SERVICE_EXITS = {
  ok: "Stopped by SIGTERM or Ctrl-C after finishing what it held",
  failed: "Could not start: a bad setting, a service that does not answer, a port in use",
};

/**
 * How a flag is written, e.g. `--format table|csv|json` or `--count N`.
 *
 * @param name The flag's name, without the dashes.
 * @param flag The flag.
 * @returns The flag with its value's placeholder.
 */
export function flagUsage(name: string, flag: FlagSpec): string {
  if (flag.type === "boolean") return `--${name}`;
  const value = flag.value ?? flag.choices?.join("|") ?? (flag.type === "integer" ? "N" : "VALUE");
  return `--${name} ${value}`;
}

function _flagLabel(name: string, flag: FlagSpec): string {
  return `${flag.short ? `-${flag.short}, ` : "    "}${flagUsage(name, flag)}`;
}

function _flagText(flag: FlagSpec): string {
  const notes = [
    ...(flag.default === undefined ? [] : [`default ${flag.default}`]),
    ...(flag.env ? [`or ${flag.env}`] : []),
  ];
  return notes.length > 0 ? `${flag.description} (${notes.join(", ")})` : flag.description;
}

function _envRows(spec: TaskSpec): string[][] {
  const defaults = new Map(recordEnvReads(loadConfig).map((read) => [read.name, read.fallback]));
  const rows = (spec.env ?? []).flatMap((group) =>
    Object.entries(ENV_GROUPS[group]).map(([name, meaning]) => {
      const fallback = defaults.get(name);
      return [name, fallback === undefined ? meaning : `${meaning} (default ${fallback})`];
    })
  );
  for (const [name, flag] of Object.entries(spec.flags ?? {})) {
    if (flag.env) rows.push([flag.env, `The default of --${name}`]);
  }
  return rows;
}

/**
 * Formats a task's help.
 *
 * @param spec The task.
 * @returns The text `--help` prints.
 */
export function formatHelp(spec: TaskSpec): string {
  const flagRows = [
    ...Object.entries(spec.flags ?? {}).map(([name, flag]) => [
      _flagLabel(name, flag),
      _flagText(flag),
    ]),
    ["-h, --help", "Print this help and exit"],
  ];
  const envRows = _envRows(spec);
  const width = Math.max(...[...flagRows, ...envRows].map(([label]) => label!.length)) + 2;
  const table = (rows: string[][]) =>
    rows.map(([label, text]) => `  ${label!.padEnd(width)}${text}`);
  const argument = spec.argument ? ` "${spec.argument.name}"` : "";
  const exits = spec.exits ?? _SERVICE_EXITS;
  return [
    `Usage: deno task ${spec.name} [options]${argument}`,
    "",
    spec.summary,
    ...(spec.argument
      ? ["", "Argument:", ...table([[spec.argument.name, spec.argument.description]])]
      : []),
    "",
    "Options:",
    ...table(flagRows),
    ...(envRows.length > 0
      ? ["", "Environment (see README, Configuration):", ...table(envRows)]
      : []),
    ...(spec.examples?.length
      ? ["", "Examples:", ...spec.examples.map((line) => `  ${line}`)]
      : []),
    "",
    "Exit codes:",
    `  0  ${exits.ok}`,
    `  1  ${exits.failed}`,
    "  2  Usage error: an unknown flag, a stray argument or a bad value",
    ...(spec.exits?.more ?? []).map(([code, text]) => `  ${code}  ${text}`),
    "",
  ].join("\n");
}
