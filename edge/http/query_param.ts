/**
 * Query parameters validated once with a schema, refused as a 400 that
 * names the parameter.
 *
 * @module
 */

import type { z } from "zod";
import { HttpError } from "./http_error.ts";

/**
 * Parses one query parameter.
 *
 * @param schema What the value must be.
 * @param name The parameter's name, for the error.
 * @param value The raw value, or undefined when absent.
 * @param fallback Used when the parameter is absent.
 * @returns The parsed value.
 * @throws {HttpError} 400 with a problem whose path is `name`.
 */
export function queryParam<T>(
  schema: z.ZodType<T>,
  name: string,
  value: string | undefined,
  fallback: string,
): T {
  const result = schema.safeParse(value ?? fallback);
  if (!result.success) {
    const message = result.error.issues[0]?.message ?? "Invalid value";
    throw new HttpError(400, `Invalid query parameter '${name}': ${message}`, [
      { path: name, message },
    ]);
  }
  return result.data;
}
