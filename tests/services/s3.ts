/**
 * S3Proxy with its filesystem backend on 127.0.0.1:9000: a real S3 HTTP API
 * (AWS signature v2 and v4) storing objects under `.services/data/s3`.
 *
 * @module
 */

import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { mavenClasspath } from "./maven_classpath.ts";
import { HARNESS_DIR, servicePaths } from "./paths.ts";
import { probeTcp } from "./probe.ts";
import type { ServiceDefinition } from "./service_definition.ts";

const _HOST = "127.0.0.1";
const _PORT = 9000;

/** The access key S3Proxy accepts. */
export const S3_ACCESS_KEY_ID = "pipeline";
/** The secret key S3Proxy accepts. */
export const S3_SECRET_ACCESS_KEY = "pipeline-secret";

/** The harness's S3 service. */
export const s3Service: ServiceDefinition = {
  name: "s3",
  host: _HOST,
  port: _PORT,
  readyTimeoutMs: 60_000,
  stopSignal: "SIGTERM",
  stopGraceMs: 10_000,

  async prepare(onProgress) {
    const { data } = servicePaths("s3");
    const buckets = `${data}/buckets`;
    await Deno.mkdir(buckets, { recursive: true });
    const config = `${data}/s3proxy.conf`;
    await Deno.writeTextFile(
      config,
      [
        "# Written by tests/services/s3.ts on every start; edits are overwritten.",
        `s3proxy.endpoint=http://${_HOST}:${_PORT}`,
        "s3proxy.authorization=aws-v2-or-v4",
        `s3proxy.identity=${S3_ACCESS_KEY_ID}`,
        `s3proxy.credential=${S3_SECRET_ACCESS_KEY}`,
        // Trino's S3 filesystem sends headers S3Proxy does not model; answer them anyway.
        "s3proxy.ignore-unknown-headers=true",
        "jclouds.provider=filesystem",
        `jclouds.filesystem.basedir=${buckets}`,
        "",
      ].join("\n"),
    );
    const [jar] = await mavenClasspath("s3", onProgress);
    return {
      argv: [
        "java",
        "-Xms64m",
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:+ExitOnOutOfMemoryError",
        "-Dpipeline.service=s3",
        `-Dlogback.configurationFile=${HARNESS_DIR}/s3/logback.xml`,
        "-jar",
        jar!,
        "--properties",
        config,
      ],
    };
  },

  async isReady() {
    if (!(await probeTcp(_HOST, _PORT, 500))) return false;
    const client = new S3Client({
      endpoint: `http://${_HOST}:${_PORT}`,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY },
      maxAttempts: 1,
    });
    try {
      await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(3000) });
      return true;
    } catch {
      return false;
    } finally {
      client.destroy();
    }
  },
};
