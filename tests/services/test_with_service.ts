/**
 * Registers an integration test that needs a real service. The service is
 * probed once, at registration: when nothing answers, the test is ignored
 * locally (its name says why and how to start the service), and fails with
 * that reason when `CI` is set, so CI can never pass by skipping.
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
 * `Deno.test` for a test that needs `service`: ignored (with the reason in
 * its name) when the service does not answer and `CI` is unset; failing with
 * the reason when `CI` is set.
 *
 * @example
 * ```ts
 * await testWithService("kafka", {
 *   name: "[kafka] delivers keyed messages to one partition per key",
 *   async fn(t) { ... },
 * });
 * ```
 *
 * @param service The service the test needs.
 * @param definition The test, as for `Deno.test`.
 */
export async function testWithService(
  service: ServiceName,
  definition: Deno.TestDefinition,
): Promise<void> {
  const reason = await serviceUnavailableReason(service);
  if (reason === undefined) {
    Deno.test(definition);
  } else if (Deno.env.get("CI")) {
    Deno.test({
      ...definition,
      fn() {
        throw new Error(`Cannot run '${definition.name}' with CI set: ${reason}`);
      },
    });
  } else {
    Deno.test({ ...definition, name: `${definition.name} (ignored: ${reason})`, ignore: true });
  }
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
