/**
 * The bus port and the factory that picks its adapter from the configuration:
 * Kafka when `KAFKA_BROKERS` is set, the embedded durable log otherwise.
 *
 * @module
 */

import { type BusConfig, ConfigError } from "../runtime/config.ts";
import type { Logger } from "../runtime/logger.ts";
import type { Bus, TopicSpec } from "./bus.ts";
import { createEmbeddedBus } from "./embedded/embedded_bus.ts";
import { createKafkaBus } from "./kafka/kafka_bus.ts";

export type * from "./bus.ts";
export { PartitionsLostError } from "./bus.ts";
export { EmbeddedBusLockedError } from "./embedded/embedded_bus.ts";

/**
 * Opens the configured bus. An unreachable Kafka is an error naming its
 * address, never a silent fall-back to the embedded log. The embedded log
 * applies `BUS_RETENTION_HOURS` and `BUS_RETENTION_BYTES`; Kafka keeps its
 * topics' own retention.
 *
 * @param config The bus configuration.
 * @param dataDir Where the embedded log lives (`<dataDir>/bus`).
 * @param logger The logger.
 * @returns The bus.
 * @throws {ConfigError} When no broker of `KAFKA_BROKERS` answers.
 * @throws {EmbeddedBusLockedError} When another process holds the embedded log.
 */
export function openBus(config: BusConfig, dataDir: string, logger: Logger): Promise<Bus> {
  if (config.brokers.length > 0) {
    return createKafkaBus({ brokers: config.brokers, clientId: config.clientId, logger })
      .catch((error: Error) => {
        throw new ConfigError("KAFKA_BROKERS", error.message, { cause: error });
      });
  }
  return createEmbeddedBus({
    dir: `${dataDir}/bus`,
    logger,
    retention: { maxAgeMs: config.retentionHours * 3_600_000, maxBytes: config.retentionBytes },
  });
}

/**
 * The pipeline's topics: the events topic with the configured partitions,
 * and the one-partition dead-letter topic.
 *
 * @param config The bus configuration.
 * @returns The topics to pass to `ensureTopics`.
 */
export function pipelineTopics(config: BusConfig): TopicSpec[] {
  return [
    { name: config.pinsTopic, partitions: config.partitions },
    { name: config.dlqTopic, partitions: 1 },
  ];
}
