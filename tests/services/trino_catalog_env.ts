/**
 * The variables the Trino catalogs in `ops/trino/catalog` read through
 * `${ENV:...}`, for the harness's Trino: the loopback services' addresses and
 * credentials. compose.yaml sets the same variables with its own host names.
 *
 * @module
 */

import type { ServiceEndpoints } from "./endpoints.ts";
import { parseHostPort } from "./probe.ts";

/** The bucket of the Hive catalog's file metastore when `S3_BUCKET` is unset. */
export const TRINO_METASTORE_BUCKET = "pinterest-pipeline";

/**
 * The environment of the harness's Trino server.
 *
 * @param endpoints Where the harness's services are.
 * @param bucket The bucket whose `trino-metastore/` holds the Hive catalog's metastore.
 * @returns Variable name → value, for every `${ENV:...}` in ops/trino/catalog.
 * @throws {Error} When a configured address cannot be parsed.
 */
export function trinoCatalogEnv(
  endpoints: ServiceEndpoints,
  bucket: string = trinoMetastoreBucket(),
): Record<string, string> {
  const database = new URL(endpoints.databaseUrl);
  return {
    TRINO_CASSANDRA_HOST: parseHostPort(endpoints.cassandraContactPoints[0] ?? "").host,
    CASSANDRA_LOCAL_DC: endpoints.cassandraLocalDataCenter,
    S3_ENDPOINT: endpoints.s3Endpoint,
    S3_BUCKET: bucket,
    AWS_REGION: endpoints.s3Region,
    AWS_ACCESS_KEY_ID: endpoints.s3AccessKeyId,
    AWS_SECRET_ACCESS_KEY: endpoints.s3SecretAccessKey,
    TRINO_POSTGRES_HOST: database.hostname,
    POSTGRES_USER: decodeURIComponent(database.username),
    POSTGRES_PASSWORD: decodeURIComponent(database.password),
  };
}

/**
 * The bucket whose `trino-metastore/` the harness's Trino keeps its Hive
 * metastore in: `S3_BUCKET`, else {@linkcode TRINO_METASTORE_BUCKET}. It must
 * exist before a schema is created in the `hive` catalog.
 *
 * @returns The bucket's name.
 */
export function trinoMetastoreBucket(): string {
  return Deno.env.get("S3_BUCKET")?.trim() || TRINO_METASTORE_BUCKET;
}
