/**
 * The pipeline's stores for a fuzz run, assembled once per run on the chosen
 * adapters (embedded, or the real services), and handed out fresh for each
 * case: new topics and consumer groups, an emptied real-time database, an
 * archive prefix of its own and an emptied history.
 *
 * @module
 */

import cassandra from "cassandra-driver";
import postgres from "postgres";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import type { ObjectStore } from "../../lib/archive/object_store.ts";
import { createS3Store } from "../../lib/archive/s3_store.ts";
import type { Bus } from "../../lib/bus/bus.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { createKafkaBus } from "../../lib/bus/kafka/kafka_bus.ts";
import { createCassandraHistory } from "../../lib/history/cassandra_store.ts";
import { createEmbeddedHistory } from "../../lib/history/embedded_store.ts";
import type { HistoryStore } from "../../lib/history/history_store.ts";
import { cassandraProbe, embeddedProbe, type HistoryProbe } from "../fixtures/history_probe.ts";
import { createPgliteClient } from "../../lib/realtime/pglite_client.ts";
import { createPostgresClient } from "../../lib/realtime/postgres_client.ts";
import type { RealtimeStore } from "../../lib/realtime/realtime_store.ts";
import type { SqlClient } from "../../lib/realtime/sql_client.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { AGGREGATE_KINDS, aggregateTable } from "../../lib/realtime/aggregate_sql.ts";
import { GRAINS } from "../../lib/realtime/grain.ts";
import { NO_SHARING } from "../fixtures/realtime_state_cases.ts";
import type { Logger } from "../../lib/runtime/logger.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { dropBucket, dropTopic } from "../fixtures/archive_objects.ts";
import { prefixedStore } from "./prefixed_store.ts";

/** Which adapter each port uses. */
export interface AdapterChoice {
  bus: "embedded" | "kafka";
  realtime: "pglite" | "postgres";
  archive: "local" | "s3";
  history: "embedded" | "cassandra";
}

/** The embedded adapters everywhere. */
export const EMBEDDED: AdapterChoice = {
  bus: "embedded",
  realtime: "pglite",
  archive: "local",
  history: "embedded",
};

/** PostgreSQL, S3 (S3Proxy) and Cassandra, on the embedded bus. */
export const REAL: AdapterChoice = {
  bus: "embedded",
  realtime: "postgres",
  archive: "s3",
  history: "cassandra",
};

/** What one case runs on. */
export interface CaseStores {
  bus: Bus;
  topics: { pins: string; dlq: string };
  groups: { stream: string; archive: string };
  realtime: RealtimeStore;
  /** The real-time database itself, for the oracle's own queries. */
  sql: SqlClient;
  archive: ObjectStore;
  history: HistoryStore;
  /** Reads per-day counts beside the history port. */
  probe: HistoryProbe;
  /** Releases what is the case's alone (the history store of an embedded run). */
  release(): Promise<void>;
}

/** The run's stores. */
export interface FuzzStores {
  readonly choice: AdapterChoice;
  /** E.g. `embedded bus, pglite, local archive, embedded history`. */
  readonly description: string;
  /** Fresh stores for case `n`. */
  forCase(n: number): Promise<CaseStores>;
  close(): Promise<void>;
}

const REALTIME_TABLES = [
  "stream_offsets",
  "seen_events",
  ...AGGREGATE_KINDS.flatMap((kind) => GRAINS.map((grain) => aggregateTable(kind, grain.name))),
].join(", ");
const PARTITIONS = 3;

/**
 * Opens the run's stores.
 *
 * @param choice The adapters.
 * @param logger Lifecycle lines of the adapters.
 * @returns The stores; close them when the run ends.
 * @throws When a real service does not answer, naming it.
 */
export async function openFuzzStores(choice: AdapterChoice, logger: Logger): Promise<FuzzStores> {
  const run = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const dir = await Deno.makeTempDir({ dir: await _scratchParent(), prefix: "pipeline-fuzz-" });
  const cleanups: Array<() => Promise<unknown>> = [() => Deno.remove(dir, { recursive: true })];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const bus = choice.bus === "kafka"
      ? await createKafkaBus({
        brokers: serviceEndpoints().kafkaBrokers,
        clientId: `fuzz-${run}`,
        logger,
      })
      : await createEmbeddedBus({ dir: `${dir}/bus`, logger });
    cleanups.push(() => bus.close());
    const sql = choice.realtime === "postgres"
      ? await _freshPostgres(run, cleanups)
      : await createPgliteClient("memory://");
    cleanups.push(() => sql.close());
    const realtime = createSqlRealtimeStore(
      sql,
      choice.realtime === "postgres" ? "postgres" : "embedded",
      choice.realtime,
      // A case reads right after its events are applied, and cases reuse the store.
      { sharedReadTtlMs: NO_SHARING },
    );
    await realtime.migrate();
    const archive = choice.archive === "s3"
      ? _s3(run, logger)
      : createLocalStore({ dir: `${dir}/archive` });
    await archive.ensureBucket();
    cleanups.push(async () => {
      await archive.close();
      if (choice.archive === "s3") await dropBucket(`fuzz-${run}`);
    });
    const history = choice.history === "cassandra" ? await _cassandra(run, logger, cleanups) : null;

    return {
      choice,
      description:
        `${choice.bus} bus, ${choice.realtime}, ${choice.archive} archive, ${choice.history} history`,
      async forCase(n) {
        const name = `fuzz-${run}-c${n}`;
        const topics = { pins: name, dlq: `${name}.dlq` };
        await bus.ensureTopics([{ name: topics.pins, partitions: PARTITIONS }, {
          name: topics.dlq,
          partitions: 1,
        }]);
        if (choice.bus === "kafka") {
          cleanups.push(() => Promise.all([dropTopic(topics.pins), dropTopic(topics.dlq)]));
        }
        await sql.query(`TRUNCATE ${REALTIME_TABLES}`);
        let caseHistory: HistoryStore;
        let probe: HistoryProbe;
        let release = () => Promise.resolve();
        if (history) {
          await history.truncate();
          caseHistory = history.store;
          probe = history.probe;
        } else {
          const path = `${dir}/history-c${n}.duckdb`;
          const own = await createEmbeddedHistory({ path });
          await own.migrate();
          caseHistory = own;
          probe = embeddedProbe(path);
          release = () => own.close();
        }
        return {
          bus,
          topics,
          groups: { stream: `realtime-${name}`, archive: `archive-${name}` },
          realtime,
          sql,
          archive: prefixedStore(archive, `case-${n}/`),
          history: caseHistory,
          probe,
          release,
        };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

// Memory-backed when the system has it: the embedded log's fsync per produce is not what the
// fuzzer tests, and on a disk it dominates a case's time.
async function _scratchParent(): Promise<string | undefined> {
  try {
    return (await Deno.stat("/dev/shm")).isDirectory ? "/dev/shm" : undefined;
  } catch {
    return undefined;
  }
}

async function _freshPostgres(
  run: string,
  cleanups: Array<() => Promise<unknown>>,
): Promise<SqlClient> {
  const url = serviceEndpoints().databaseUrl;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const name = `fuzz_${run}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  cleanups.push(async () => {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return await createPostgresClient(fresh.toString());
}

function _s3(run: string, logger: Logger): ObjectStore {
  const endpoints = serviceEndpoints();
  return createS3Store({
    endpoint: endpoints.s3Endpoint,
    bucket: `fuzz-${run}`,
    region: endpoints.s3Region,
    logger,
    credentials: {
      accessKeyId: endpoints.s3AccessKeyId,
      secretAccessKey: endpoints.s3SecretAccessKey,
    },
  });
}

/** A Cassandra history on a keyspace of the run, emptied between cases. */
interface SharedHistory {
  store: HistoryStore;
  probe: HistoryProbe;
  truncate(): Promise<void>;
}

async function _cassandra(
  run: string,
  logger: Logger,
  cleanups: Array<() => Promise<unknown>>,
): Promise<SharedHistory> {
  const endpoints = serviceEndpoints();
  const keyspace = `fuzz_${run}`;
  const config = {
    contactPoints: endpoints.cassandraContactPoints,
    keyspace,
    localDataCenter: endpoints.cassandraLocalDataCenter,
    replication: "{'class': 'SimpleStrategy', 'replication_factor': 1}",
  };
  const store = await createCassandraHistory(config, logger);
  const admin = new cassandra.Client({
    contactPoints: endpoints.cassandraContactPoints,
    localDataCenter: endpoints.cassandraLocalDataCenter,
    socketOptions: { readTimeout: 60_000 },
  });
  cleanups.push(async () => {
    await store.close();
    await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
    await admin.shutdown();
  });
  await store.migrate();
  await admin.connect();
  const tables = (await admin.execute(
    "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?",
    [keyspace],
  )).rows.map((row) => String(row.table_name));
  const probe = await cassandraProbe(config);
  cleanups.push(() => probe.close());
  return {
    store,
    probe,
    async truncate() {
      for (const table of tables) await admin.execute(`TRUNCATE ${keyspace}.${table}`);
    },
  };
}
