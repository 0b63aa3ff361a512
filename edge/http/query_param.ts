/**
 * Query parameters validated once with a schema, refused as a 400 that
 * names the parameter.
 *
 * @module
 */

import { z } from "zod";
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

/**
 * The schema of an integer query parameter: decimal digits only (no
 * exponent, no hex, no spaces), within bounds, as OpenAPI's `integer` says.
 *
 * @param min The smallest value.
 * @param max The largest value.
 * @returns The schema.
 */
export function integerParam(min: number, max: number): z.ZodType<number> {
  return z.string()
    .regex(/^-?[0-9]{1,16}$/, "Expected an integer")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}
