/**
 * PostgreSQL from Debian's package: a cluster of its own under
 * `.services/data/postgres`, on 127.0.0.1:5432, with the role and database
 * `pipeline` (password `pipeline`).
 *
 * @module
 */

import { installAptPackage } from "./apt_package.ts";
import { pathExists, servicePaths, SERVICES_HOME } from "./paths.ts";
import { runCommand } from "./process_control.ts";
import type { ServiceDefinition } from "./service_definition.ts";

const _HOST = "127.0.0.1";
const _PORT = 5432;
const _PG_ROOT = "/usr/lib/postgresql";
// The OS user that owns the cluster when the harness runs as root
// (PostgreSQL refuses to run as root).
const _OS_USER = "postgres";

const _SETUP_SQL = `
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pipeline') THEN
    CREATE ROLE pipeline LOGIN CREATEDB PASSWORD 'pipeline';
  END IF;
END
$$;
SELECT 'CREATE DATABASE pipeline OWNER pipeline'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'pipeline') \\gexec
`;

/** The harness's PostgreSQL service. */
export const postgresService: ServiceDefinition = {
  name: "postgres",
  host: _HOST,
  port: _PORT,
  readyTimeoutMs: 60_000,
  // SIGINT is PostgreSQL's "fast" shutdown; SIGTERM would wait for clients to leave.
  stopSignal: "SIGINT",
  stopGraceMs: 20_000,

  async prepare(onProgress) {
    let bin = await _postgresBinDir();
    if (bin === undefined) {
      await installAptPackage("postgresql", onProgress);
      bin = await _postgresBinDir();
      if (bin === undefined) {
        throw new Error(
          `Cannot find PostgreSQL after installing it: no ${_PG_ROOT}/*/bin/postgres`,
        );
      }
    }
    const asOwner = await _runAsOwnerPrefix();
    const { pgdata, socketDir } = await _layout(asOwner.prefix);
    if (!pgdata.startsWith(SERVICES_HOME)) {
      onProgress(`the postgres OS user cannot reach ${SERVICES_HOME}; using ${pgdata}`);
    }
    for (const dir of [pgdata, socketDir]) {
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      await Deno.chmod(dir, 0o700);
      if (asOwner.owner) await Deno.chown(dir, asOwner.owner.uid, asOwner.owner.gid);
    }
    if (!(await pathExists(`${pgdata}/PG_VERSION`))) {
      onProgress("initialising a PostgreSQL cluster (initdb)");
      await runCommand([
        ...asOwner.prefix,
        `${bin}/initdb`,
        "-D",
        pgdata,
        "-U",
        "postgres",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C",
      ]);
    }
    return {
      argv: [
        ...asOwner.prefix,
        `${bin}/postgres`,
        "-D",
        pgdata,
        "-p",
        String(_PORT),
        "-c",
        `listen_addresses=${_HOST}`,
        "-c",
        `unix_socket_directories=${socketDir}`,
        "-c",
        "max_connections=200",
        // Marks the process as the harness's (see isHarnessProcess) even when
        // the data folder is outside .services.
        "-c",
        `pipeline.services_home=${SERVICES_HOME}`,
      ],
    };
  },

  async isReady() {
    const bin = await _postgresBinDir();
    if (bin === undefined) return false;
    try {
      await runCommand([`${bin}/pg_isready`, "-q", "-h", _HOST, "-p", String(_PORT), "-t", "2"]);
      return true;
    } catch {
      return false;
    }
  },

  async afterReady() {
    const bin = await _postgresBinDir();
    const sqlFile = await Deno.makeTempFile({ suffix: ".sql" });
    try {
      await Deno.writeTextFile(sqlFile, _SETUP_SQL);
      // The socket folder is 0700 and owned by the cluster's owner; local
      // connections are trusted, so only that user (and root) can get in.
      const { prefix } = await _runAsOwnerPrefix();
      const { socketDir } = await _layout(prefix);
      await Deno.chmod(sqlFile, 0o644);
      await runCommand([
        ...prefix,
        `${bin}/psql`,
        "-h",
        socketDir,
        "-p",
        String(_PORT),
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-v",
        "ON_ERROR_STOP=1",
        "-q",
        "-f",
        sqlFile,
      ]);
    } finally {
      await Deno.remove(sqlFile).catch(() => {});
    }
  },
};

/**
 * The cluster's data and socket folders: under `.services/data/postgres`
 * unless the `postgres` OS user cannot reach it (a parent folder without
 * o+x, e.g. a checkout under /root) or the socket path would pass the 107
 * bytes Unix allows; then under /var/tmp, named after this checkout.
 */
async function _layout(ownerPrefix: string[]): Promise<{ pgdata: string; socketDir: string }> {
  const { data } = servicePaths("postgres");
  await Deno.mkdir(data, { recursive: true });
  const fits = `${data}/socket/.s.PGSQL.${_PORT}`.length < 100;
  if (fits && (ownerPrefix.length === 0 || (await _canReach(ownerPrefix, data)))) {
    return { pgdata: `${data}/pgdata`, socketDir: `${data}/socket` };
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(SERVICES_HOME));
  const id = Array.from(new Uint8Array(digest).slice(0, 4), (b) => b.toString(16).padStart(2, "0"))
    .join("");
  const base = `/var/tmp/pipeline-services-${id}/postgres`;
  await Deno.mkdir(base, { recursive: true });
  return { pgdata: `${base}/pgdata`, socketDir: `${base}/socket` };
}

async function _canReach(ownerPrefix: string[], dir: string): Promise<boolean> {
  try {
    await runCommand([...ownerPrefix, "test", "-x", dir]);
    return true;
  } catch {
    return false;
  }
}

/** The newest `/usr/lib/postgresql/<version>/bin` that has a `postgres` binary. */
async function _postgresBinDir(): Promise<string | undefined> {
  const versions: number[] = [];
  try {
    for await (const entry of Deno.readDir(_PG_ROOT)) {
      const version = Number(entry.name);
      if (
        Number.isFinite(version) && (await pathExists(`${_PG_ROOT}/${entry.name}/bin/postgres`))
      ) {
        versions.push(version);
      }
    }
  } catch {
    return undefined;
  }
  const newest = versions.sort((a, b) => b - a)[0];
  return newest === undefined ? undefined : `${_PG_ROOT}/${newest}/bin`;
}

/** As root: `setpriv` to the `postgres` OS user (it execs, so pids are kept); else nothing. */
async function _runAsOwnerPrefix(): Promise<
  { prefix: string[]; owner?: { uid: number; gid: number } }
> {
  if (Deno.uid() !== 0) return { prefix: [] };
  let uid: number;
  let gid: number;
  try {
    uid = Number((await runCommand(["id", "-u", _OS_USER])).trim());
    gid = Number((await runCommand(["id", "-g", _OS_USER])).trim());
  } catch (error) {
    throw new Error(
      `Cannot run PostgreSQL as root and the OS user '${_OS_USER}' does not exist ` +
        `(the Debian package creates it)`,
      { cause: error },
    );
  }
  return {
    prefix: ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--init-groups", "--"],
    owner: { uid, gid },
  };
}
