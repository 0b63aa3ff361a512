/**
 * Registers a test that needs a real service, or anything else a machine may
 * lack. A service is probed once, at registration: when nothing answers, the
 * test is ignored locally (its name says why and how to start the service),
 * and fails with that reason when `CI` is set, so CI can never pass by
 * skipping.
 *
 * @module
 */

import { probeAddress } from "./endpoints.ts";
import { probeTcp } from "./probe.ts";
import type { ServiceName } from "./service_definition.ts";

const _probes = new Map<ServiceName, Promise<string | undefined>>();

/**
 * Why a service cannot be used, probed once per process.
 *
 * @param service The service.
 * @returns `undefined` when it answers; else the reason, e.g.
 *   `nothing answers at 127.0.0.1:9092; run deno task services up kafka`.
 */
export function serviceUnavailableReason(service: ServiceName): Promise<string | undefined> {
  let probe = _probes.get(service);
  if (probe === undefined) {
    probe = _probe(service);
    _probes.set(service, probe);
  }
  return probe;
}

/**
 * `Deno.test` for a test that needs something this machine may lack: run when
 * `missing` is `undefined`; else ignored (with the reason in its name) when
 * `CI` is unset, and failing with the reason when `CI` is set.
 *
 * @example
 * ```ts
 * testIfAvailable(chromium ? undefined : "Chromium is not installed", { name, fn });
 * ```
 *
 * @param missing Why the test cannot run here, or `undefined` when it can.
 * @param definition The test, as for `Deno.test`.
 */
export function testIfAvailable(
  missing: string | undefined,
  definition: Deno.TestDefinition,
): void {
  if (missing === undefined) {
    Deno.test(definition);
  } else if (Deno.env.get("CI")) {
    Deno.test({
      ...definition,
      fn() {
        throw new Error(`Cannot run '${definition.name}' with CI set: ${missing}`);
      },
    });
  } else {
    Deno.test({ ...definition, name: `${definition.name} (ignored: ${missing})`, ignore: true });
  }
}

/**
 * `Deno.test` for a test that needs real services: see
 * {@linkcode testIfAvailable}, with the reasons of those that do not answer.
 *
 * @example
 * ```ts
 * await testWithService(["kafka", "s3"], {
 *   name: "[archive+kafka+s3] each event is archived exactly once",
 *   async fn(t) { ... },
 * });
 * ```
 *
 * @param services The service, or services, the test needs.
 * @param definition The test, as for `Deno.test`.
 */
export async function testWithService(
  services: ServiceName | ServiceName[],
  definition: Deno.TestDefinition,
): Promise<void> {
  const needed = Array.isArray(services) ? services : [services];
  const reasons = await Promise.all(needed.map(serviceUnavailableReason));
  const missing = reasons.filter((reason) => reason !== undefined);
  testIfAvailable(missing.length > 0 ? missing.join("; ") : undefined, definition);
}

async function _probe(service: ServiceName): Promise<string | undefined> {
  let address: { host: string; port: number };
  try {
    address = probeAddress(service);
  } catch (error) {
    return (error as Error).message;
  }
  if (await probeTcp(address.host, address.port, 1000)) return undefined;
  return `nothing answers at ${address.host}:${address.port}; run deno task services up ${service}`;
}
