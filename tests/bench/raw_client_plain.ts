/**
 * The raw kafkajs loop on kafkajs as published, without the Kafka adapter's
 * produce path and encoder (kafkajs's own Java-compatible partitioner).
 *
 *   deno run -A tests/bench/raw_client_plain.ts [--records 300000]
 *
 * @module
 */

import * as kafkajs from "kafkajs";
import { rawClientMain } from "./raw_client_bench.ts";

await rawClientMain({
  client: "plain",
  kafkajs,
  createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  patched: false,
});
