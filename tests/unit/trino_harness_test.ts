import assert from "node:assert/strict";
import { serviceEndpoints } from "../services/endpoints.ts";
import { trinoJava } from "../services/trino.ts";
import { trinoCatalogEnv } from "../services/trino_catalog_env.ts";

const _env = (values: Record<string, string>) => ({ get: (name: string) => values[name] });

Deno.test("[services] the harness's Trino sets every variable ops/trino/catalog reads, with loopback values", async () => {
  const env = trinoCatalogEnv(serviceEndpoints(_env({})), "a-bucket");
  const read = new Set<string>();
  for await (const entry of Deno.readDir(new URL("../../ops/trino/catalog/", import.meta.url))) {
    const text = await Deno.readTextFile(
      new URL(`../../ops/trino/catalog/${entry.name}`, import.meta.url),
    );
    for (const match of text.matchAll(/\$\{ENV:([A-Za-z][A-Za-z0-9_-]*)\}/g)) read.add(match[1]!);
  }
  assert.deepEqual([...read].sort(), Object.keys(env).sort());
  assert.equal(env.TRINO_CASSANDRA_HOST, "127.0.0.1");
  assert.equal(env.TRINO_POSTGRES_HOST, "127.0.0.1");
  assert.equal(env.S3_ENDPOINT, "http://127.0.0.1:9000");
  assert.equal(env.S3_BUCKET, "a-bucket");
  assert.equal(env.POSTGRES_USER, "pipeline");
});

Deno.test("[services] Trino's JDK: TRINO_JAVA_HOME must be Java 25, and the error names it", async (t) => {
  const java17 = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${java17}/bin`);
    await Deno.writeTextFile(`${java17}/bin/java`, "");
    await Deno.writeTextFile(`${java17}/release`, 'JAVA_VERSION="17.0.15"\n');
    await t.step("an older JDK", async () => {
      await assert.rejects(
        trinoJava(_env({ TRINO_JAVA_HOME: java17 })),
        new RegExp(`needs Java 25, and TRINO_JAVA_HOME=${java17} is Java 17 .*set TRINO_JAVA_HOME`),
      );
    });
    await t.step("no JDK there", async () => {
      await assert.rejects(
        trinoJava(_env({ TRINO_JAVA_HOME: `${java17}/nowhere` })),
        /has no bin\/java; set TRINO_JAVA_HOME to a Java 25 JDK/,
      );
    });
    await t.step("a Java 25 JDK", async () => {
      await Deno.writeTextFile(`${java17}/release`, 'JAVA_VERSION="25.0.3"\n');
      assert.equal(await trinoJava(_env({ TRINO_JAVA_HOME: java17 })), `${java17}/bin/java`);
    });
  } finally {
    await Deno.remove(java17, { recursive: true });
  }
});
