/**
 * Resolves the jars of a Java server from Maven Central with `mvn`, caching
 * both the jars (`.services/cache/m2`) and the resulting classpath, so a warm
 * start runs no `mvn` at all.
 *
 * @module
 */

import { CACHE_DIR, HARNESS_DIR } from "./paths.ts";
import { runCommand } from "./process_control.ts";

/** Pinned so that resolution does not depend on whatever plugin version is newest. */
const _DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1";

/** The local Maven repository the harness downloads into. */
export const MAVEN_REPO: string = `${CACHE_DIR}/m2`;

/**
 * The classpath of the jars that `tests/services/<name>/pom.xml` depends on.
 *
 * @param name The folder of the pom, e.g. `kafka`.
 * @param onProgress Told when `mvn` has to run (the slow, downloading case).
 * @returns The absolute jar paths.
 * @throws {Error} When `mvn` is missing or fails; the message carries its output.
 */
export async function mavenClasspath(
  name: string,
  onProgress: (message: string) => void = () => {},
): Promise<string[]> {
  const pom = `${HARNESS_DIR}/${name}/pom.xml`;
  const cacheFile = `${CACHE_DIR}/${name}.classpath`;
  const keyFile = `${cacheFile}.key`;
  const key = await _sha256(await Deno.readTextFile(pom));
  const cached = await _readCached(cacheFile, keyFile, key);
  if (cached) return cached;

  onProgress(`resolving ${name} jars with mvn (first run downloads them)`);
  await Deno.mkdir(CACHE_DIR, { recursive: true });
  const tmpFile = `${cacheFile}.${crypto.randomUUID()}.tmp`;
  const argv = [
    "mvn",
    "-B",
    "-q",
    `-Dmaven.repo.local=${MAVEN_REPO}`,
    "-f",
    pom,
    `${_DEPENDENCY_PLUGIN}:build-classpath`,
    `-Dmdep.outputFile=${tmpFile}`,
  ];
  try {
    await runCommand(argv);
  } catch (first) {
    // Concurrent runs share the local repository; one retry covers a lost race.
    onProgress(`mvn failed for ${name}, retrying once: ${(first as Error).message.split("\n")[0]}`);
    await runCommand(argv);
  }
  const jars = (await Deno.readTextFile(tmpFile)).trim().split(":").filter((jar) => jar !== "");
  await Deno.remove(tmpFile);
  if (jars.length === 0) {
    throw new Error(`Cannot resolve the ${name} classpath: mvn returned no jars for ${pom}`);
  }
  await Deno.writeTextFile(cacheFile, jars.join("\n") + "\n");
  await Deno.writeTextFile(keyFile, key);
  return jars;
}

async function _readCached(
  cacheFile: string,
  keyFile: string,
  key: string,
): Promise<string[] | undefined> {
  try {
    if ((await Deno.readTextFile(keyFile)).trim() !== key) return undefined;
    const jars = (await Deno.readTextFile(cacheFile)).split("\n").filter((jar) => jar !== "");
    for (const jar of jars) await Deno.stat(jar);
    return jars.length > 0 ? jars : undefined;
  } catch {
    return undefined;
  }
}

async function _sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
