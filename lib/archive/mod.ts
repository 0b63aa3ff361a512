/**
 * The archive port and the factory that picks its adapter from the
 * configuration: S3 when `S3_ENDPOINT` is set, a local directory
 * (`<dataDir>/archive/<bucket>`) otherwise.
 *
 * @module
 */

import type { ArchiveConfig } from "../runtime/config.ts";
import type { Logger } from "../runtime/logger.ts";
import { createLocalStore } from "./local_store.ts";
import type { ObjectStore } from "./object_store.ts";

export type * from "./object_store.ts";

/**
 * Opens the configured archive and makes sure its bucket exists. An
 * unreachable configured S3 is an error naming its address, never a silent
 * fall-back to the local directory. The S3 SDK is loaded only when S3 is configured.
 *
 * @param config The archive configuration.
 * @param dataDir Where the local archive lives (`<dataDir>/archive/<bucket>`).
 * @param logger The logger.
 * @returns The store, its bucket created.
 * @throws {Error} When the store cannot be reached or its bucket created, with its address.
 */
export async function openArchive(
  config: ArchiveConfig,
  dataDir: string,
  logger: Logger,
): Promise<ObjectStore> {
  const store = config.endpoint !== null
    ? (await import("./s3_store.ts")).createS3Store({
      endpoint: config.endpoint,
      bucket: config.bucket,
      region: config.region,
      logger,
    })
    : createLocalStore({ dir: `${dataDir}/archive/${config.bucket}` });
  try {
    await store.ensureBucket();
  } catch (error) {
    await store.close();
    throw error;
  }
  logger.info("Opened the archive", { kind: store.kind, address: store.address });
  return store;
}
