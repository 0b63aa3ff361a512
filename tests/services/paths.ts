/**
 * Where the service harness keeps downloads, data, logs and pid files: all
 * under the git-ignored `.services/` folder at the repository root.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** Absolute path of the repository root (two folders above this file). */
export const REPO_ROOT: string = fileURLToPath(new URL("../../", import.meta.url)).replace(
  /\/$/,
  "",
);

/** Absolute path of the folder that holds everything the harness writes. */
export const SERVICES_HOME: string = `${REPO_ROOT}/.services`;

/** Absolute path of the folder with this harness's committed config files. */
export const HARNESS_DIR: string = `${REPO_ROOT}/tests/services`;

/**
 * The paths one service uses.
 *
 * @param name The service's name, e.g. `kafka`.
 * @returns The service's data folder, log file and pid file.
 */
export function servicePaths(name: string): { data: string; log: string; pid: string } {
  return {
    data: `${SERVICES_HOME}/data/${name}`,
    log: `${SERVICES_HOME}/logs/${name}.log`,
    pid: `${SERVICES_HOME}/run/${name}.pid`,
  };
}

/** Absolute path of the download cache (Maven repository, resolved classpaths). */
export const CACHE_DIR: string = `${SERVICES_HOME}/cache`;

/**
 * Whether a file or folder exists.
 *
 * @param path The path to check.
 * @returns `true` when `stat` succeeds.
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
