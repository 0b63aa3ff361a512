/**
 * Apache Kafka 3.9 in KRaft mode, one node that is broker and controller,
 * on 127.0.0.1:9092 (controller on 9093), run from its Maven Central jars.
 *
 * @module
 */

import { Kafka, logLevel } from "kafkajs";
import { mavenClasspath } from "./maven_classpath.ts";
import { HARNESS_DIR, pathExists, servicePaths } from "./paths.ts";
import { probeTcp } from "./probe.ts";
import { runCommand } from "./process_control.ts";
import type { ServiceDefinition } from "./service_definition.ts";

const _HOST = "127.0.0.1";
const _PORT = 9092;
const _CONTROLLER_PORT = 9093;
const _LOG4J = `${HARNESS_DIR}/kafka/log4j.properties`;

/**
 * The command prefix that runs a Java main class with the harness's Kafka
 * jars (which include `kafka-tools`), e.g. for load tests:
 *
 * @example
 * ```ts
 * const argv = [...await kafkaJavaCommand("org.apache.kafka.tools.ProducerPerformance"),
 *   "--topic", "pins", "--num-records", "1000", "--record-size", "512",
 *   "--throughput", "-1", "--producer-props", "bootstrap.servers=127.0.0.1:9092"];
 * ```
 *
 * @param mainClass The class to run.
 * @param options `heap`: the `-Xmx` value (default `512m`); `onProgress` hears about downloads.
 * @returns `java`, its JVM flags, the classpath and the class; append the class's arguments.
 * @throws {Error} When the jars cannot be resolved.
 */
export async function kafkaJavaCommand(
  mainClass: string,
  options: { heap?: string; onProgress?: (message: string) => void } = {},
): Promise<string[]> {
  const heap = options.heap ?? "512m";
  const jars = await mavenClasspath("kafka", options.onProgress);
  return [
    "java",
    `-Xmx${heap}`,
    "-Djava.awt.headless=true",
    `-Dlog4j.configuration=file:${_LOG4J}`,
    "-cp",
    jars.join(":"),
    mainClass,
  ];
}

/** The harness's Kafka service. */
export const kafkaService: ServiceDefinition = {
  name: "kafka",
  host: _HOST,
  port: _PORT,
  readyTimeoutMs: 90_000,
  stopSignal: "SIGTERM",
  stopGraceMs: 30_000,

  async prepare(onProgress) {
    const { data } = servicePaths("kafka");
    const logDir = `${data}/log`;
    const config = `${data}/server.properties`;
    await Deno.mkdir(logDir, { recursive: true });
    await Deno.writeTextFile(config, _serverProperties(logDir));
    const java = await kafkaJavaCommand("kafka.tools.StorageTool", { heap: "256m", onProgress });
    if (!(await pathExists(`${logDir}/meta.properties`))) {
      onProgress("formatting kafka storage (KRaft)");
      // `--cluster-id=` keeps an id that starts with "-" from being read as a flag.
      await runCommand([...java, "format", `--cluster-id=${_randomClusterId()}`, "-c", config]);
    }
    const server = await kafkaJavaCommand("kafka.Kafka");
    const [javaBin, ...rest] = server;
    return {
      argv: [
        javaBin!,
        "-Xms256m",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:+ExitOnOutOfMemoryError",
        "-Dpipeline.service=kafka",
        `-Dkafka.logs.dir=${data}`,
        ...rest,
        config,
      ],
    };
  },

  async isReady() {
    if (!(await probeTcp(_HOST, _PORT, 500))) return false;
    // The port opens before the broker is unfenced; a registered broker in
    // the cluster metadata means clients can produce.
    const admin = new Kafka({
      clientId: "services-harness",
      brokers: [`${_HOST}:${_PORT}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 2000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  },
};

function _serverProperties(logDir: string): string {
  return [
    "# Written by tests/services/kafka.ts on every start; edits are overwritten.",
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@${_HOST}:${_CONTROLLER_PORT}`,
    `listeners=PLAINTEXT://${_HOST}:${_PORT},CONTROLLER://${_HOST}:${_CONTROLLER_PORT}`,
    `advertised.listeners=PLAINTEXT://${_HOST}:${_PORT}`,
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    `log.dirs=${logDir}`,
    "num.partitions=1",
    "default.replication.factor=1",
    "min.insync.replicas=1",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "transaction.state.log.num.partitions=1",
    "group.initial.rebalance.delay.ms=0",
    "auto.create.topics.enable=true",
    "delete.topic.enable=true",
    "num.network.threads=2",
    "num.io.threads=2",
    "log.retention.hours=24",
    "log.segment.bytes=67108864",
    "",
  ].join("\n");
}

// A Kafka cluster id is a random 16-byte UUID in unpadded base64url.
function _randomClusterId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}
