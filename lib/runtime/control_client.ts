/**
 * The client side of a control listener (`control_server.ts`): finds the
 * running `deno task dev` of a data directory through its control file,
 * ignoring a stale one with a note, and calls its routes, reading the
 * NDJSON events they stream.
 *
 * @module
 */

import { type ControlFile, controlFilePath, readControlFile } from "./control_file.ts";
import type { ControlEvent } from "./control_server.ts";

/** Options of {@linkcode findControl}. */
export interface FindControlOptions {
  /** How long the listener has to answer (default 5 s). */
  timeoutMs?: number;
}

function _who(control: ControlFile): string {
  return `deno task dev (pid ${control.pid})`;
}

/**
 * Finds the running `deno task dev` of a data directory.
 *
 * @param dataDir The data directory.
 * @param note Told, in one line, why a control file found is ignored.
 * @param options The answer's timeout.
 * @returns Its control file when its listener answers with its pid; null when
 *   there is none, or it is stale (its process is gone, or something else answers).
 */
export async function findControl(
  dataDir: string,
  note: (line: string) => void,
  options: FindControlOptions = {},
): Promise<ControlFile | null> {
  const path = controlFilePath(dataDir);
  let control: ControlFile | null;
  try {
    control = await readControlFile(dataDir);
  } catch (error) {
    note(`${(error as Error).message}; ignoring it`);
    return null;
  }
  if (!control) return null;
  // A process that is gone answers nothing; a port taken since answers without the pid.
  let why: string;
  try {
    const response = await fetch(control.url, {
      headers: { authorization: `Bearer ${control.token}` },
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    const body = await response.json().catch(() => null);
    if (response.ok && body?.pid === control.pid) return control;
    why = `${control.url} answered ${response.status}, not deno task dev (pid ${control.pid})`;
  } catch (error) {
    why = `deno task dev (pid ${control.pid}) does not answer at ${control.url}: ${
      (error as Error).message
    }`;
  }
  note(`Ignoring a stale ${path}: ${why}`);
  return null;
}

async function* _lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let pending = "";
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) if (line.trim() !== "") yield line;
  }
  if (pending.trim() !== "") yield pending;
}

/**
 * Calls a route and yields the events it streams.
 *
 * @param control The listener, from {@linkcode findControl}.
 * @param route The route's name, e.g. `flush`.
 * @param body The request, a JSON object.
 * @returns The events, in order, until the route ends.
 * @throws {Error} When the listener cannot be reached or refuses the request,
 *   the connection breaks, or the route ends with an error event (its message).
 */
export async function* callControl(
  control: ControlFile,
  route: string,
  body: Record<string, unknown>,
): AsyncGenerator<ControlEvent> {
  let response: Response;
  try {
    response = await fetch(`${control.url}/${route}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${control.token}`,
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(`Cannot reach ${_who(control)} at ${control.url}: ${(error as Error).message}`);
  }
  if (!response.ok || !response.body) {
    const refusal = await response.json().catch(() => null);
    throw new Error(
      `${_who(control)} refused /${route}: ${response.status} ${refusal?.error ?? ""}`.trim(),
    );
  }
  const lines = _lines(response.body);
  try {
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = await lines.next();
      } catch (error) {
        throw new Error(`Lost ${_who(control)} during /${route}: ${(error as Error).message}`);
      }
      if (next.done) return;
      const event = JSON.parse(next.value) as ControlEvent & { message?: unknown };
      if (event.type === "error") throw new Error(String(event.message));
      yield event;
    }
  } finally {
    await lines.return(undefined);
  }
}
