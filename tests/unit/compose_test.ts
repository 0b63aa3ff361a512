/**
 * Static checks of compose.yaml, the Dockerfile and the ops/ files compose
 * mounts, against the code: the variables lib/runtime/config.ts reads, the deno
 * tasks, the ports each process listens on and Prometheus scrapes. No
 * Docker engine is needed (nor used): the files are parsed and compared.
 */

import assert from "node:assert/strict";
import {
  type ComposeService,
  configVariables,
  denoRunTask,
  denoTasks,
  loadCompose,
  parseYaml,
  PIPELINE_PROCESSES,
  readRepoText,
  REPO,
  SDK_VARIABLES,
  serviceEnv,
} from "../fixtures/ops_stack.ts";

const compose = await loadCompose();
const services = compose.services;

/** README calls the S3-compatible service "S3"; compose runs MinIO. */
const _SERVICE_ALIASES: Record<string, string> = { s3: "minio", postgresql: "postgres" };

interface _PortMapping {
  published: number | null;
  target: number;
}

function _ports(service: ComposeService): _PortMapping[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === "object") {
      return {
        published: port.published === undefined ? null : Number(port.published),
        target: port.target,
      };
    }
    const parts = String(port).replace(/\/(tcp|udp)$/, "").split(":");
    const target = Number(parts.at(-1));
    return { published: parts.length > 1 ? Number(parts.at(-2)) : null, target };
  });
}

function _listeningPorts(service: ComposeService): Set<number> {
  return new Set([
    ...(service.expose ?? []).map((port) => Number(String(port).replace(/\/(tcp|udp)$/, ""))),
    ..._ports(service).map((port) => port.target),
  ]);
}

function _healthcheck(service: ComposeService): string {
  const test = service.healthcheck?.test;
  return Array.isArray(test) ? test.join(" ") : test ?? "";
}

function _dependsOn(service: ComposeService): Record<string, string> {
  const raw = service.depends_on ?? {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((name) => [name, "service_started"]));
  return Object.fromEntries(
    Object.entries(raw).map(([name, value]) => [name, value?.condition ?? "service_started"]),
  );
}

function _service(name: string): ComposeService {
  const service = services[name];
  assert.ok(service, `compose.yaml has no service '${name}'`);
  return service;
}

/** `host:port` from a `host:port` item or a URL (jdbc: prefixes dropped). */
function _address(value: string, defaultPort?: number): { host: string; port: number } {
  const text = value.replace(/^jdbc:/, "");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    const url = new URL(text);
    const port = url.port !== "" ? Number(url.port) : defaultPort;
    assert.ok(port !== undefined, `No port in '${value}'`);
    return { host: url.hostname, port };
  }
  const at = text.lastIndexOf(":");
  if (at < 0) {
    assert.ok(defaultPort !== undefined, `No port in '${value}'`);
    return { host: text, port: defaultPort };
  }
  return { host: text.slice(0, at), port: Number(text.slice(at + 1)) };
}

function _assertServiceAddress(where: string, value: string, defaultPort?: number): void {
  const { host, port } = _address(value, defaultPort);
  const target = services[host];
  assert.ok(target, `${where}: '${value}' names '${host}', which is no compose service`);
  const listening = _listeningPorts(target);
  assert.ok(
    listening.has(port),
    `${where}: '${value}' uses port ${port}, but service '${host}' listens on ${
      [...listening].join(", ") || "nothing declared (expose/ports)"
    }`,
  );
}

async function _properties(path: string): Promise<Record<string, string>> {
  const text = await readRepoText(path);
  const entries = text.split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at).trim(), line.slice(at + 1).trim()] as const;
    });
  return Object.fromEntries(entries);
}

/**
 * The Trino catalogs as compose's Trino reads them: each `${ENV:NAME}` replaced
 * by the trino service's variable (Trino fails to start on an unset one).
 */
async function _trinoCatalogs(): Promise<Map<string, Record<string, string>>> {
  const env = serviceEnv(_service("trino"));
  const catalogs = new Map<string, Record<string, string>>();
  for await (const entry of Deno.readDir(new URL("ops/trino/catalog/", REPO))) {
    if (entry.isFile && entry.name.endsWith(".properties")) {
      const path = `ops/trino/catalog/${entry.name}`;
      const properties = await _properties(path);
      for (const [key, value] of Object.entries(properties)) {
        properties[key] = value.replace(/\$\{ENV:([A-Za-z][A-Za-z0-9_-]*)\}/g, (_, name) => {
          assert.ok(name in env, `${path}: ${key} reads \${ENV:${name}}, which trino does not set`);
          return env[name]!;
        });
      }
      catalogs.set(path, properties);
    }
  }
  return catalogs;
}

interface _PrometheusConfig {
  rule_files?: string[];
  scrape_configs: Array<{
    job_name: string;
    static_configs?: Array<{ targets: string[] }>;
  }>;
}

async function _prometheusConfig(): Promise<_PrometheusConfig> {
  return parseYaml(await readRepoText("ops/prometheus.yml")) as _PrometheusConfig;
}

/** Bind mounts of a service: host path (relative to the repository) → container path. */
function _bindMounts(service: ComposeService): Array<{ source: string; target: string }> {
  const mounts: Array<{ source: string; target: string }> = [];
  for (const volume of service.volumes ?? []) {
    if (typeof volume === "object") {
      if (volume.type === "bind" && volume.source) {
        mounts.push({ source: volume.source, target: volume.target });
      }
    } else {
      const [source = "", target = ""] = volume.split(":");
      if (source.startsWith(".") || source.startsWith("/")) mounts.push({ source, target });
    }
  }
  return mounts;
}

function _namedVolumes(service: ComposeService): string[] {
  const names: string[] = [];
  for (const volume of service.volumes ?? []) {
    if (typeof volume === "object") {
      if ((volume.type ?? "volume") === "volume" && volume.source) names.push(volume.source);
    } else {
      const [source = ""] = volume.split(":");
      if (volume.includes(":") && !source.startsWith(".") && !source.startsWith("/")) {
        names.push(source);
      }
    }
  }
  return names;
}

async function _exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(new URL(path.replace(/^\.\//, ""), REPO));
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

Deno.test("[compose] runs every service the README names", async (t) => {
  await t.step("the real services of README's table (S3 as MinIO)", async () => {
    const readme = await readRepoText("README.md");
    const section = readme.split(/^## /m).find((part) => part.startsWith("Real services"));
    assert.ok(section, "README.md has no 'Real services' section");
    const names = [...section.matchAll(/^\|\s*([A-Za-z][\w-]*)\s*\|\s*`/gm)]
      .map((match) => match[1]!.toLowerCase());
    assert.ok(names.length >= 5, `Expected the services table, found ${names.join(", ")}`);
    for (const name of names) _service(_SERVICE_ALIASES[name] ?? name);
  });

  await t.step(
    "MinIO, Grafana and Trino, which README's compose section says it adds",
    async () => {
      const readme = await readRepoText("README.md");
      const section = readme.split(/^### /m).find((part) => part.startsWith("With Docker"));
      assert.ok(section, "README.md has no 'With Docker' section");
      for (const name of ["MinIO", "Grafana", "Trino"]) {
        assert.ok(section.includes(name), `README's compose section does not name ${name}`);
        _service(name.toLowerCase());
      }
    },
  );

  await t.step("the pipeline's processes", () => {
    for (const process of PIPELINE_PROCESSES) _service(process.service);
  });
});

Deno.test("[compose] builds the pipeline's processes from one Dockerfile, each running its deno task", async (t) => {
  const tasks = await denoTasks();
  const built = Object.entries(services).filter(([, service]) => service.build !== undefined);
  await t.step("only the pipeline's processes are built, all as the same image", () => {
    assert.deepEqual(
      built.map(([name]) => name).sort(),
      PIPELINE_PROCESSES.map((process) => process.service).sort(),
    );
    const images = new Set(built.map(([, service]) => service.image));
    assert.equal(images.size, 1, `One image expected, found ${[...images].join(", ")}`);
    for (const [name, service] of built) {
      const build = service.build as string | { context?: string; dockerfile?: string };
      const context = typeof build === "string" ? build : build.context ?? ".";
      const dockerfile = typeof build === "string"
        ? "Dockerfile"
        : build.dockerfile ?? "Dockerfile";
      assert.equal(context, ".", `${name} builds from '${context}'`);
      assert.equal(dockerfile, "Dockerfile", `${name} builds '${dockerfile}'`);
    }
  });

  for (const process of PIPELINE_PROCESSES) {
    await t.step(
      `${process.service} runs 'deno task ${process.task}', whose entry point exists`,
      async () => {
        assert.deepEqual(_service(process.service).command, ["deno", "task", process.task]);
        const task = tasks[process.task];
        assert.ok(task, `deno.json has no task '${process.task}'`);
        const run = denoRunTask(task);
        assert.ok(run, `Task '${process.task}' is not 'deno run <flags> <file>': ${task}`);
        assert.ok(await _exists(run.file), `${run.file} (task '${process.task}') does not exist`);
      },
    );
  }
});

Deno.test("[compose] the Dockerfile uses the official Deno image at CI's version and a non-root user", async (t) => {
  const dockerfile = await readRepoText("Dockerfile");
  const instructions = dockerfile.split("\n").filter((line) => /^[A-Z]+\s/.test(line));
  await t.step("FROM denoland/deno at the Deno version of .ci/run", async () => {
    const ci = await readRepoText(".ci/run");
    const version = ci.match(/DENO_VERSION=([\d.]+)/)?.[1];
    assert.ok(version, ".ci/run has no DENO_VERSION");
    const from = instructions.filter((line) => line.startsWith("FROM "));
    assert.deepEqual(from, [`FROM denoland/deno:${version}`]);
  });
  await t.step("installs the dependencies from the lock file and caches the entry points", () => {
    assert.ok(instructions.some((line) => /^RUN deno install --frozen\b/.test(line)));
    assert.ok(instructions.some((line) => /deno install --frozen --entrypoint /.test(line)));
  });
  await t.step("switches to a non-root user before running anything of the pipeline", () => {
    const users = instructions.filter((line) => line.startsWith("USER "));
    assert.ok(users.length > 0, "No USER instruction");
    assert.ok(!/^USER\s+(root|0)\b/.test(users.at(-1)!), `Runs as ${users.at(-1)}`);
  });
});

Deno.test("[compose] names images without a registry host", () => {
  for (const [name, service] of Object.entries(services)) {
    if (service.image === undefined) continue;
    const first = service.image.split("/")[0]!;
    const hasHost = service.image.includes("/") && (/[.:]/.test(first) || first === "localhost");
    assert.ok(!hasHost, `${name}: image '${service.image}' names a registry host`);
    assert.ok(service.image.includes(":"), `${name}: image '${service.image}' has no tag`);
    assert.ok(!service.image.endsWith(":latest"), `${name}: pin a version, not 'latest'`);
  }
});

Deno.test("[compose] publishes each host port once", () => {
  const seen = new Map<number, string>();
  for (const [name, service] of Object.entries(services)) {
    for (const { published } of _ports(service)) {
      if (published === null) continue;
      assert.ok(
        !seen.has(published),
        `Host port ${published} is published by both ${seen.get(published)} and ${name}`,
      );
      seen.set(published, name);
    }
  }
});

Deno.test("[compose] each pipeline process listens where compose, its health check and Prometheus expect", async (t) => {
  const prometheus = await _prometheusConfig();
  const metricsPorts = new Map<number, string>();
  for (const process of PIPELINE_PROCESSES) {
    await t.step(process.service, () => {
      const service = _service(process.service);
      const env = serviceEnv(service);
      const port = Number(env[process.portVariable]);
      assert.ok(
        Number.isInteger(port) && port > 0,
        `${process.service}: ${process.portVariable} must be a fixed port, is '${
          env[process.portVariable]
        }'`,
      );
      assert.ok(!metricsPorts.has(port), `Port ${port} also used by ${metricsPorts.get(port)}`);
      metricsPorts.set(port, process.service);
      assert.ok(
        _ports(service).some((mapping) => mapping.target === port),
        `${process.service}: no ports mapping to container port ${port} (${process.portVariable})`,
      );
      const health = _healthcheck(service);
      assert.ok(
        health.includes(`127.0.0.1:${port}/health`),
        `${process.service}: the health check does not ask ${process.portVariable}=${port}: ${health}`,
      );
      const job = prometheus.scrape_configs.find((config) => config.job_name === process.service);
      assert.ok(job, `ops/prometheus.yml has no job '${process.service}'`);
      const targets = (job.static_configs ?? []).flatMap((config) => config.targets);
      assert.deepEqual(targets, [`${process.service}:${port}`]);
    });
  }
});

Deno.test("[compose] every address in the configuration names a service and a port it listens on", async (t) => {
  await t.step("the pipeline's variables", () => {
    for (const process of PIPELINE_PROCESSES) {
      const env = serviceEnv(_service(process.service));
      const where = `${process.service}`;
      for (const broker of (env.KAFKA_BROKERS ?? "").split(",")) {
        _assertServiceAddress(`${where} KAFKA_BROKERS`, broker.trim());
      }
      for (const point of (env.CASSANDRA_CONTACT_POINTS ?? "").split(",")) {
        _assertServiceAddress(`${where} CASSANDRA_CONTACT_POINTS`, point.trim());
      }
      _assertServiceAddress(`${where} DATABASE_URL`, env.DATABASE_URL ?? "", 5432);
      _assertServiceAddress(`${where} S3_ENDPOINT`, env.S3_ENDPOINT ?? "");
    }
  });

  await t.step("Kafka advertises the address the pipeline uses", () => {
    const kafka = serviceEnv(_service("kafka"));
    const advertised = (kafka.KAFKA_ADVERTISED_LISTENERS ?? "").split(",")
      .map((listener) => listener.replace(/^\w+:\/\//, ""));
    for (const process of PIPELINE_PROCESSES) {
      for (const broker of (serviceEnv(_service(process.service)).KAFKA_BROKERS ?? "").split(",")) {
        assert.ok(
          advertised.includes(broker.trim()),
          `${process.service} KAFKA_BROKERS '${broker}' is not among Kafka's advertised listeners ${advertised}`,
        );
      }
    }
  });

  await t.step("ops/prometheus.yml targets", async () => {
    const prometheus = await _prometheusConfig();
    for (const config of prometheus.scrape_configs) {
      for (const target of (config.static_configs ?? []).flatMap((item) => item.targets)) {
        if (target.startsWith("localhost:")) continue;
        _assertServiceAddress(`ops/prometheus.yml job ${config.job_name}`, target);
      }
    }
  });

  await t.step("the Grafana datasource", async () => {
    const doc = parseYaml(
      await readRepoText("ops/grafana/provisioning/datasources/prometheus.yml"),
    ) as { datasources: Array<{ url: string; type: string }> };
    for (const datasource of doc.datasources) {
      _assertServiceAddress("Grafana datasource", datasource.url);
    }
  });

  await t.step("the Trino catalogs", async () => {
    for (const [path, catalog] of await _trinoCatalogs()) {
      if (catalog["connection-url"]) _assertServiceAddress(path, catalog["connection-url"]);
      if (catalog["s3.endpoint"]) _assertServiceAddress(path, catalog["s3.endpoint"]);
      if (catalog["cassandra.contact-points"]) {
        const port = Number(catalog["cassandra.native-protocol-port"] ?? "9042");
        for (const point of catalog["cassandra.contact-points"].split(",")) {
          _assertServiceAddress(path, point.trim(), port);
        }
      }
    }
  });
});

Deno.test("[compose] credentials, bucket and data centre agree across services", async (t) => {
  const pipeline = serviceEnv(_service(PIPELINE_PROCESSES[0]!.service));
  await t.step("S3 keys are MinIO's root user, the bucket is the one created", () => {
    const minio = serviceEnv(_service("minio"));
    assert.equal(pipeline.AWS_ACCESS_KEY_ID, minio.MINIO_ROOT_USER);
    assert.equal(pipeline.AWS_SECRET_ACCESS_KEY, minio.MINIO_ROOT_PASSWORD);
    const setup = serviceEnv(_service("minio-setup"));
    assert.equal(setup.S3_BUCKET, pipeline.S3_BUCKET);
    assert.equal(setup.MINIO_ROOT_USER, minio.MINIO_ROOT_USER);
    assert.equal(setup.MINIO_ROOT_PASSWORD, minio.MINIO_ROOT_PASSWORD);
  });
  await t.step("DATABASE_URL is PostgreSQL's user, password and database", () => {
    const postgres = serviceEnv(_service("postgres"));
    const url = new URL(pipeline.DATABASE_URL ?? "");
    assert.equal(decodeURIComponent(url.username), postgres.POSTGRES_USER);
    assert.equal(decodeURIComponent(url.password), postgres.POSTGRES_PASSWORD);
    assert.equal(url.pathname.slice(1), postgres.POSTGRES_DB);
  });
  await t.step("CASSANDRA_LOCAL_DC is Cassandra's data centre", () => {
    assert.equal(pipeline.CASSANDRA_LOCAL_DC, serviceEnv(_service("cassandra")).CASSANDRA_DC);
  });
  await t.step("Trino reads the same bucket, database and data centre", async () => {
    const catalogs = await _trinoCatalogs();
    const hive = catalogs.get("ops/trino/catalog/hive.properties");
    assert.ok(hive, "No ops/trino/catalog/hive.properties");
    assert.match(
      hive["hive.metastore.catalog.dir"] ?? "",
      new RegExp(`^s3://${pipeline.S3_BUCKET}/`),
    );
    assert.equal(hive["s3.region"], pipeline.AWS_REGION);
    assert.equal(hive["s3.endpoint"], pipeline.S3_ENDPOINT);
    assert.equal(hive["s3.aws-access-key"], pipeline.AWS_ACCESS_KEY_ID);
    assert.equal(hive["s3.aws-secret-key"], pipeline.AWS_SECRET_ACCESS_KEY);
    const sql = await readRepoText("ops/trino/sql/curated_pins.sql");
    assert.ok(sql.includes(`'s3://${pipeline.S3_BUCKET}/curated'`), "curated_pins.sql bucket");
    const postgresql = catalogs.get("ops/trino/catalog/postgresql.properties");
    assert.ok(postgresql, "No ops/trino/catalog/postgresql.properties");
    const database = new URL(pipeline.DATABASE_URL ?? "").pathname.slice(1);
    assert.ok(postgresql["connection-url"]?.endsWith(`/${database}`));
    assert.equal(postgresql["connection-user"], serviceEnv(_service("postgres")).POSTGRES_USER);
    assert.equal(
      postgresql["connection-password"],
      serviceEnv(_service("postgres")).POSTGRES_PASSWORD,
    );
    const cassandra = catalogs.get("ops/trino/catalog/cassandra.properties");
    assert.ok(cassandra, "No ops/trino/catalog/cassandra.properties");
    assert.equal(cassandra["cassandra.load-policy.dc-aware.local-dc"], pipeline.CASSANDRA_LOCAL_DC);
  });
});

Deno.test("[compose] sets every variable lib/runtime/config.ts reads for every pipeline process, and no unknown one", async (t) => {
  const read = await configVariables();
  assert.ok(read.length > 20, `Found only ${read.length} variables in lib/runtime/config.ts`);
  const known = new Set([...read, ...SDK_VARIABLES]);
  for (const process of PIPELINE_PROCESSES) {
    await t.step(process.service, () => {
      const env = serviceEnv(_service(process.service));
      const missing = [...known].filter((name) => !(name in env));
      assert.deepEqual(missing, [], `${process.service} does not set ${missing.join(", ")}`);
      const unknown = Object.keys(env).filter((name) => !known.has(name));
      assert.deepEqual(unknown, [], `${process.service} sets variables nothing reads`);
    });
  }
});

Deno.test("[compose] declares every named volume it uses and uses every one it declares", () => {
  const declared = new Set(Object.keys(compose.volumes ?? {}));
  const used = new Set<string>();
  for (const [name, service] of Object.entries(services)) {
    for (const volume of _namedVolumes(service)) {
      assert.ok(declared.has(volume), `${name} uses volume '${volume}', not declared`);
      used.add(volume);
    }
  }
  assert.deepEqual([...declared].filter((volume) => !used.has(volume)), []);
});

Deno.test("[compose] depends_on targets exist and have what their condition waits for", () => {
  for (const [name, service] of Object.entries(services)) {
    for (const [target, condition] of Object.entries(_dependsOn(service))) {
      const dependency = services[target];
      assert.ok(dependency, `${name} depends on '${target}', which is no service`);
      if (condition === "service_healthy") {
        assert.ok(
          _healthcheck(dependency) !== "" && dependency.healthcheck?.disable !== true,
          `${name} waits for '${target}' to be healthy, but it has no healthcheck`,
        );
      } else if (condition === "service_completed_successfully") {
        assert.equal(
          dependency.restart ?? "no",
          "no",
          `${target} is a one-shot; do not restart it`,
        );
      } else {
        assert.equal(condition, "service_started", `${name} → ${target}: unknown '${condition}'`);
      }
    }
  }
  for (const process of PIPELINE_PROCESSES) {
    assert.ok(_healthcheck(_service(process.service)), `${process.service} has no healthcheck`);
  }
});

Deno.test("[compose] Prometheus, Grafana and Trino mount files that exist in ops/", async (t) => {
  const mounts = (name: string) => _bindMounts(_service(name));

  await t.step("every bind mount of every service exists", async () => {
    for (const [name, service] of Object.entries(services)) {
      for (const mount of _bindMounts(service)) {
        assert.ok(await _exists(mount.source), `${name} mounts ${mount.source}, which is missing`);
      }
    }
  });

  await t.step("Prometheus: its config and every rule file it names", async () => {
    const config = mounts("prometheus").find((mount) => mount.source === "./ops/prometheus.yml");
    assert.ok(config, "prometheus does not mount ./ops/prometheus.yml");
    const command = _service("prometheus").command ?? [];
    assert.ok(
      (Array.isArray(command) ? command : [command]).includes(`--config.file=${config.target}`),
    );
    const configDir = config.target.slice(0, config.target.lastIndexOf("/"));
    const ruleFiles = (await _prometheusConfig()).rule_files ?? [];
    assert.ok(ruleFiles.includes("alerts.yml"), "ops/prometheus.yml does not load alerts.yml");
    for (const file of ruleFiles) {
      assert.ok(
        mounts("prometheus").some((mount) =>
          mount.target === `${configDir}/${file}` && mount.source === `./ops/${file}`
        ),
        `rule file ${file} is not mounted from ./ops/${file} at ${configDir}/${file}`,
      );
    }
  });

  await t.step("Grafana: provisioning, and dashboards where the provider looks", async () => {
    const provisioning = mounts("grafana").find((mount) =>
      mount.source === "./ops/grafana/provisioning"
    );
    assert.equal(provisioning?.target, "/etc/grafana/provisioning");
    const provider = parseYaml(
      await readRepoText("ops/grafana/provisioning/dashboards/pipeline.yml"),
    ) as { providers: Array<{ options: { path: string } }> };
    const dashboards = mounts("grafana").find((mount) =>
      mount.source === "./ops/grafana/dashboards"
    );
    assert.ok(dashboards, "grafana does not mount ./ops/grafana/dashboards");
    for (const item of provider.providers) assert.equal(item.options.path, dashboards.target);
    const home = serviceEnv(_service("grafana")).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    if (home !== undefined) {
      assert.ok(home.startsWith(`${dashboards.target}/`));
      assert.ok(
        await _exists(`ops/grafana/dashboards/${home.slice(dashboards.target.length + 1)}`),
      );
    }
  });

  await t.step("Trino: the catalog folder", async () => {
    const catalog = mounts("trino").find((mount) => mount.source === "./ops/trino/catalog");
    assert.equal(catalog?.target, "/etc/trino/catalog");
    const catalogs = await _trinoCatalogs();
    assert.deepEqual(
      [...catalogs.values()].map((properties) => properties["connector.name"]).sort(),
      ["cassandra", "hive", "postgresql"],
    );
  });
});

Deno.test("[compose] .dockerignore keeps what the processes need in the build context", async () => {
  const ignored = (await readRepoText(".dockerignore")).split("\n")
    .map((line) => line.trim().replace(/^\//, "").replace(/\/$/, ""))
    .filter((line) => line !== "" && !line.startsWith("#"));
  const needed = ["deno.json", "deno.lock", "edge", "jobs", "lib", "ops", "ops/healthcheck.ts"];
  for (const path of needed) {
    assert.ok(!ignored.includes(path), `.dockerignore leaves out ${path}`);
  }
  for (const path of [".services", ".tools", "data", ".git", "node_modules"]) {
    assert.ok(ignored.includes(path), `.dockerignore should leave out ${path}`);
  }
});
