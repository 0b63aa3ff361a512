/**
 * Trino 476, one node that is coordinator and worker, on 127.0.0.1:8080, run
 * from its Maven Central tarball with a Java 25 JDK (`TRINO_JAVA_HOME`). Its
 * catalogs are `ops/trino/catalog`, read in place; the addresses and
 * credentials they name through `${ENV:...}` are the harness's loopback
 * services. The first start records a JDK AOT cache under the data folder
 * (written when the server stops; not under `CI`); later starts load it.
 *
 * @module
 */

import { serviceEndpoints } from "./endpoints.ts";
import { mavenClasspath } from "./maven_classpath.ts";
import { CACHE_DIR, pathExists, REPO_ROOT, servicePaths } from "./paths.ts";
import { probeTcp } from "./probe.ts";
import { runCommand } from "./process_control.ts";
import type { ServiceDefinition } from "./service_definition.ts";
import { trinoCatalogEnv } from "./trino_catalog_env.ts";

const _HOST = "127.0.0.1";
const _PORT = 8080;
const _VERSION = "476";
/** Where the JDK lives on these machines, beside the default one. */
const _DEFAULT_JAVA_HOME = "/usr/lib/jvm/temurin-25-jdk-amd64";
/**
 * The plugins the catalogs in ops/trino use (postgresql needs geospatial's
 * types); loading only these shortens the start.
 */
const _PLUGINS = ["cassandra", "geospatial", "hive", "postgresql"];
/** What an AOT cache was recorded with; a cache recorded otherwise is recorded again. */
const _AOT_KEY = `trino-server-${_VERSION} plugins ${_PLUGINS.join(",")}`;

// From Trino 476's recommended jvm.config, with a 2 GiB heap instead of 80 % of the RAM.
const _JVM_FLAGS = [
  "-Xmx2G",
  "-XX:G1HeapRegionSize=32M",
  "-XX:+ExplicitGCInvokesConcurrent",
  "-XX:+ExitOnOutOfMemoryError",
  "-XX:-OmitStackTraceInFastThrow",
  "-XX:ReservedCodeCacheSize=256M",
  "-XX:PerMethodRecompilationCutoff=10000",
  "-XX:PerBytecodeRecompilationCutoff=10000",
  "-Djdk.attach.allowAttachSelf=true",
  "-Djdk.nio.maxCachedBufferSize=2000000",
  "-Dfile.encoding=UTF-8",
  "-XX:+EnableDynamicAgentLoading",
];

/** The harness's Trino service. */
export const trinoService: ServiceDefinition = {
  name: "trino",
  host: _HOST,
  port: _PORT,
  readyTimeoutMs: 300_000,
  stopSignal: "SIGTERM",
  // A first run writes its AOT cache on the way out, which takes a while.
  stopGraceMs: 180_000,

  async prepare(onProgress) {
    const java = await trinoJava();
    const home = await _unpackedServer(onProgress);
    const { data } = servicePaths("trino");
    const etc = `${data}/etc`;
    const plugins = `${data}/plugin`;
    await Deno.mkdir(etc, { recursive: true });
    await Deno.remove(plugins, { recursive: true }).catch(() => {});
    await Deno.mkdir(plugins, { recursive: true });
    for (const plugin of _PLUGINS) {
      await Deno.symlink(`${home}/plugin/${plugin}`, `${plugins}/${plugin}`);
    }
    await Deno.writeTextFile(`${etc}/config.properties`, _configProperties(plugins));
    await Deno.writeTextFile(`${etc}/log.properties`, "io.trino=INFO\n");
    const aot = await _aotFlags(data);
    if (aot[0]?.startsWith("-XX:AOTCacheOutput")) {
      onProgress("first start: recording a JDK AOT cache (written when trino stops)");
    }
    return {
      argv: [
        java,
        ..._JVM_FLAGS,
        ...aot,
        "-Dpipeline.service=trino",
        `-Dconfig=${etc}/config.properties`,
        `-Dlog.levels-file=${etc}/log.properties`,
        "-cp",
        `${home}/lib/*`,
        "io.trino.server.TrinoServer",
      ],
      env: trinoCatalogEnv(serviceEndpoints()),
      cwd: data,
    };
  },

  async isReady() {
    if (!(await probeTcp(_HOST, _PORT, 500))) return false;
    try {
      const response = await fetch(`http://${_HOST}:${_PORT}/v1/info`, {
        signal: AbortSignal.timeout(3000),
      });
      const info = await response.json() as { starting?: boolean };
      return response.ok && info.starting === false;
    } catch {
      return false;
    }
  },

  async afterReady() {
    // The run reached readiness: the AOT cache it writes on exit is worth loading.
    await Deno.writeTextFile(`${servicePaths("trino").data}/trino.aot.key`, _AOT_KEY);
  },
};

/**
 * The `java` of the JDK that runs Trino: `TRINO_JAVA_HOME`, else the Temurin 25
 * JDK where these machines keep it.
 *
 * @param env Where `TRINO_JAVA_HOME` is read; `Deno.env` unless given.
 * @returns The absolute path of `bin/java`.
 * @throws {Error} When that JDK is missing or is not Java 25 or later.
 */
export async function trinoJava(
  env: { get(name: string): string | undefined } = Deno.env,
): Promise<string> {
  const configured = env.get("TRINO_JAVA_HOME")?.trim();
  const home = configured || _DEFAULT_JAVA_HOME;
  const source = configured ? `TRINO_JAVA_HOME=${configured}` : `the default ${home}`;
  const java = `${home}/bin/java`;
  if (!(await pathExists(java))) {
    throw new Error(
      `Cannot start Trino: it needs Java 25, and ${source} has no bin/java; ` +
        "set TRINO_JAVA_HOME to a Java 25 JDK",
    );
  }
  // The JDK's `release` file names its version, e.g. JAVA_VERSION="25.0.3".
  const release = await Deno.readTextFile(`${home}/release`).catch(() => "");
  const feature = Number(/^JAVA_VERSION="(\d+)/m.exec(release)?.[1] ?? NaN);
  if (!(feature >= 25)) {
    throw new Error(
      `Cannot start Trino: it needs Java 25, and ${source} is Java ${feature || "unknown"} ` +
        `(per ${home}/release); set TRINO_JAVA_HOME to a Java 25 JDK`,
    );
  }
  return java;
}

/** Unpacks the server tarball once into the shared cache (a rename makes it appear whole). */
async function _unpackedServer(onProgress: (message: string) => void): Promise<string> {
  const home = `${CACHE_DIR}/trino-server-${_VERSION}`;
  if (await pathExists(`${home}/lib`)) return home;
  const [tarball] = await mavenClasspath("trino", onProgress);
  if (tarball === undefined || !tarball.endsWith(".tar.gz")) {
    throw new Error(`Cannot start Trino: mvn resolved no server tarball (got '${tarball}')`);
  }
  onProgress(`unpacking ${tarball}`);
  const staging = await Deno.makeTempDir({ dir: CACHE_DIR, prefix: "trino-unpack-" });
  try {
    await runCommand(["tar", "-xzf", tarball, "-C", staging]);
    await Deno.rename(`${staging}/trino-server-${_VERSION}`, home).catch(async (error) => {
      // Another start unpacked it meanwhile.
      if (!(await pathExists(`${home}/lib`))) throw error;
    });
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
  return home;
}

/**
 * Loads the AOT cache a run that reached readiness recorded with the same
 * server and plugins; otherwise records a new one (a failed start's is
 * dropped), except under `CI`: a clean clone never starts twice, so writing
 * the cache would only slow its stop by about a minute.
 */
async function _aotFlags(data: string): Promise<string[]> {
  const cache = `${data}/trino.aot`;
  const key = await Deno.readTextFile(`${cache}.key`).catch(() => "");
  if (key === _AOT_KEY && (await pathExists(cache))) return [`-XX:AOTCache=${cache}`];
  await Deno.remove(cache).catch(() => {});
  await Deno.remove(`${cache}.key`).catch(() => {});
  return Deno.env.get("CI") ? [] : [`-XX:AOTCacheOutput=${cache}`];
}

function _configProperties(plugins: string): string {
  return `# Written by tests/services/trino.ts on every start; edits are overwritten.
node.environment=pipeline_test
node.id=pipeline-test-trino
node.bind-ip=${_HOST}
node.internal-address=${_HOST}
coordinator=true
node-scheduler.include-coordinator=true
http-server.http.port=${_PORT}
discovery.uri=http://${_HOST}:${_PORT}
plugin.dir=${plugins}
catalog.config-dir=${REPO_ROOT}/ops/trino/catalog
query.max-memory=1GB
query.max-memory-per-node=512MB
task.concurrency=2
task.max-worker-threads=4
`;
}
