/**
 * Apache Cassandra 5.0, one node on 127.0.0.1:9042 (native protocol), run
 * from its Maven Central jars in its own JVM.
 *
 * @module
 */

import cassandra from "cassandra-driver";
import { mavenClasspath } from "./maven_classpath.ts";
import { HARNESS_DIR, servicePaths } from "./paths.ts";
import { probeTcp } from "./probe.ts";
import type { ServiceDefinition } from "./service_definition.ts";

const _HOST = "127.0.0.1";
const _PORT = 9042;
const _STORAGE_PORT = 7000;

// From Cassandra 5.0's conf/jvm17-server.options (JPMS and Netty sections).
const _JVM17_FLAGS = [
  "-Djdk.attach.allowAttachSelf=true",
  "--add-exports",
  "java.base/jdk.internal.misc=ALL-UNNAMED",
  "--add-exports",
  "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
  "--add-exports",
  "java.rmi/sun.rmi.registry=ALL-UNNAMED",
  "--add-exports",
  "java.rmi/sun.rmi.server=ALL-UNNAMED",
  "--add-exports",
  "java.sql/java.sql=ALL-UNNAMED",
  "--add-exports",
  "java.base/java.lang.ref=ALL-UNNAMED",
  "--add-exports",
  "jdk.unsupported/sun.misc=ALL-UNNAMED",
  "--add-exports",
  "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
  "--add-exports",
  "jdk.attach/sun.tools.attach=ALL-UNNAMED",
  ...[
    "java.base/java.lang.module",
    "java.base/jdk.internal.loader",
    "java.base/jdk.internal.ref",
    "java.base/jdk.internal.reflect",
    "java.base/jdk.internal.math",
    "java.base/jdk.internal.module",
    "java.base/jdk.internal.util.jar",
    "jdk.management/com.sun.management.internal",
    "java.base/sun.nio.ch",
    "java.base/java.io",
    "java.base/java.lang.reflect",
    "jdk.compiler/com.sun.tools.javac",
    "java.base/java.lang",
    "java.base/java.util",
  ].flatMap((pkg) => ["--add-opens", `${pkg}=ALL-UNNAMED`]),
  "-Dio.netty.tryReflectionSetAccessible=true",
  "-Dio.netty.allocator.useCacheForAllThreads=true",
  "-Dio.netty.allocator.maxOrder=11",
];

/** The harness's Cassandra service. */
export const cassandraService: ServiceDefinition = {
  name: "cassandra",
  host: _HOST,
  port: _PORT,
  readyTimeoutMs: 180_000,
  stopSignal: "SIGTERM",
  stopGraceMs: 30_000,

  async prepare(onProgress) {
    const { data } = servicePaths("cassandra");
    await Deno.mkdir(data, { recursive: true });
    const config = `${data}/cassandra.yaml`;
    await Deno.writeTextFile(config, _cassandraYaml(data));
    const jars = await mavenClasspath("cassandra", onProgress);
    const jamm = jars.find((jar) => /\/jamm-[^/]+\.jar$/.test(jar));
    if (jamm === undefined) {
      throw new Error(
        "Cannot start Cassandra: no jamm jar on the resolved classpath (needed as -javaagent)",
      );
    }
    return {
      argv: [
        "java",
        "-Xms512m",
        "-Xmx1g",
        "-Xss256k",
        "-XX:+UseG1GC",
        "-XX:+ParallelRefProcEnabled",
        "-XX:MaxTenuringThreshold=1",
        "-XX:G1HeapRegionSize=16m",
        "-XX:MaxGCPauseMillis=300",
        "-XX:+ExitOnOutOfMemoryError",
        `-javaagent:${jamm}`,
        ..._JVM17_FLAGS,
        "-Dpipeline.service=cassandra",
        `-Dcassandra.config=file://${config}`,
        `-Dcassandra.storagedir=${data}`,
        `-Dcassandra.logdir=${data}/logs`,
        "-Dcassandra-foreground=yes",
        "-Dcassandra.skip_wait_for_gossip_to_settle=0",
        "-Dcassandra.initial_token=0",
        `-Dlogback.configurationFile=${HARNESS_DIR}/cassandra/logback.xml`,
        "-cp",
        jars.join(":"),
        "org.apache.cassandra.service.CassandraDaemon",
      ],
    };
  },

  async isReady() {
    if (!(await probeTcp(_HOST, _PORT, 500))) return false;
    const client = new cassandra.Client({
      contactPoints: [`${_HOST}:${_PORT}`],
      localDataCenter: "datacenter1",
      socketOptions: { connectTimeout: 2000, readTimeout: 5000 },
    });
    try {
      await client.connect();
      const result = await client.execute("SELECT release_version FROM system.local");
      return result.rows.length === 1;
    } catch {
      return false;
    } finally {
      await client.shutdown().catch(() => {});
    }
  },
};

function _cassandraYaml(data: string): string {
  return `# Written by tests/services/cassandra.ts on every start; edits are overwritten.
cluster_name: pipeline-test
num_tokens: 1
initial_token: 0
allocate_tokens_for_local_replication_factor: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "${_HOST}:${_STORAGE_PORT}"
listen_address: ${_HOST}
rpc_address: ${_HOST}
storage_port: ${_STORAGE_PORT}
native_transport_port: ${_PORT}
start_native_transport: true
data_file_directories:
  - ${data}/data
commitlog_directory: ${data}/commitlog
saved_caches_directory: ${data}/saved_caches
hints_directory: ${data}/hints
cdc_raw_directory: ${data}/cdc_raw
commitlog_sync: periodic
commitlog_sync_period: 10000ms
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
# Tests create and drop keyspaces all the time: no snapshot per drop.
auto_snapshot: false
concurrent_compactors: 1
`;
}
