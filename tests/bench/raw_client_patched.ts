/**
 * The raw kafkajs loop on the Kafka adapter's kafkajs: its produce path and
 * encoder are installed before kafkajs loads, as in the pipeline's processes.
 *
 *   deno run -A tests/bench/raw_client_patched.ts [--records 300000]
 *
 * @module
 */

import {
  createJavaCompatiblePartitioner,
  kafkajsProducerPatched,
} from "../../lib/bus/kafka/_kafkajs_producer.ts";
import "../../lib/bus/kafka/kafka_bus.ts";
import * as kafkajs from "kafkajs";
import { rawClientMain } from "./raw_client_bench.ts";

await rawClientMain({
  client: "patched",
  kafkajs,
  createPartitioner: createJavaCompatiblePartitioner(),
  patched: kafkajsProducerPatched,
});
