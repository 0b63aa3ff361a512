/**
 * The control listener of a long-running process: HTTP on 127.0.0.1 at a
 * random port, announced by the control file (`control_file.ts`) with a
 * random token. `POST /<route>` with `Authorization: Bearer <token>` and a
 * JSON object as the body runs the route and streams what it emits as NDJSON
 * (`application/x-ndjson`), one event per line; a route that throws ends the
 * stream with `{"type":"error","message":...}`. `GET /` answers the process's
 * pid, for a client checking that the file is not stale. A wrong or missing
 * token gets 401, an unknown route 404, a body that is not a JSON object 400.
 *
 * A client that goes away does not stop the route: the work finishes and is
 * logged, its further events are dropped.
 *
 * @module
 */

import { timingSafeEqual } from "node:crypto";
import { type HeldStore, removeControlFile, writeControlFile } from "./control_file.ts";
import type { Logger } from "./logger.ts";

/** An event a route emits: a JSON object with a `type`. */
export interface ControlEvent {
  type: string;
}

/** Sends one event to the client, as one NDJSON line. */
export type ControlEmit = <E extends ControlEvent>(event: E) => void;

/** A route: runs with the request's body and emits events until it resolves. */
export type ControlRoute = (body: Record<string, unknown>, emit: ControlEmit) => Promise<void>;

/** Options of {@linkcode startControlServer}. */
export interface ControlServerOptions {
  /** Where the control file goes. */
  dataDir: string;
  /** By name: `POST /<name>`. */
  routes: Record<string, ControlRoute>;
  /** The stores the process holds, written into the control file. */
  stores: { archive: HeldStore; history: HeldStore };
  logger: Logger;
}

/** A running control listener. */
export interface ControlServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Removes the control file, then waits for the requests in progress and closes. */
  stop(): Promise<void>;
}

const _MAX_BODY = 64 * 1024;
const encoder = new TextEncoder();

function _json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function _authorized(request: Request, token: string): boolean {
  const given = encoder.encode(request.headers.get("authorization") ?? "");
  const wanted = encoder.encode(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

async function _body(request: Request): Promise<Record<string, unknown> | null> {
  if (Number(request.headers.get("content-length") ?? 0) > _MAX_BODY) return null;
  const text = await request.text();
  if (text.length > _MAX_BODY) return null;
  try {
    const parsed = JSON.parse(text || "{}");
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function _stream(
  name: string,
  route: ControlRoute,
  body: Record<string, unknown>,
  logger: Logger,
): Response {
  let open = true;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const emit: ControlEmit = (event) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(JSON.stringify(event) + "\n"));
        } catch {
          open = false; // the client is gone: the route goes on without it
        }
      };
      route(body, emit).catch((error) => {
        logger.warn("Control request failed", { route: name, error });
        emit({ type: "error", message: (error as Error).message });
      }).finally(() => {
        if (open) controller.close();
        open = false;
      });
    },
    cancel() {
      if (open) logger.info("Control client went away; the request goes on", { route: name });
      open = false;
    },
  });
  return new Response(stream, { headers: { "content-type": "application/x-ndjson" } });
}

/**
 * Starts the listener and writes the control file.
 *
 * @param options Data directory, routes, held stores, logger.
 * @returns The listener.
 * @example
 * ```ts
 * const control = await startControlServer({
 *   dataDir, logger, stores: { archive, history },
 *   routes: { flush: async (_body, emit) => emit({ type: "flushed", ...await archiver.flushNow() }) },
 * });
 * shutdown.add(() => control.stop());
 * ```
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { dataDir, routes, stores } = options;
  const logger = options.logger.child({ component: "control" });
  const token = Array.from(crypto.getRandomValues(new Uint8Array(32)))
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");

  async function handle(request: Request): Promise<Response> {
    if (!_authorized(request, token)) {
      return _json(401, { error: "Missing or wrong control token: read it from the control file" });
    }
    const name = new URL(request.url).pathname.slice(1);
    if (request.method === "GET" && name === "") return _json(200, { pid: Deno.pid });
    const route = Object.hasOwn(routes, name) ? routes[name] : undefined;
    if (!route) return _json(404, { error: `No control route '/${name}'` });
    if (request.method !== "POST") return _json(405, { error: `Use POST for '/${name}'` });
    const body = await _body(request);
    if (!body) return _json(400, { error: "The body must be a JSON object of at most 64 KiB" });
    logger.info("Control request", { route: name });
    return _stream(name, route, body, logger);
  }

  const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: resolve }, handle);
  const url = `http://127.0.0.1:${(await listening).port}`;
  try {
    await writeControlFile(dataDir, {
      pid: Deno.pid,
      url,
      token,
      startedAt: new Date().toISOString(),
      archive: { kind: stores.archive.kind, address: stores.archive.address },
      history: { kind: stores.history.kind, address: stores.history.address },
    });
  } catch (error) {
    await server.shutdown();
    throw error;
  }
  logger.info("Control listener ready", { url });
  let stopping: Promise<void> | null = null;
  return {
    url,
    stop() {
      stopping ??= removeControlFile(dataDir, token).then(() => server.shutdown());
      return stopping;
    },
  };
}
