/**
 * A cap on the bytes of request bodies held at once, across all
 * connections. A request reserves its body's size before
 * the body is read (the declared `Content-Length` of an uncompressed body,
 * otherwise the most a body may grow to) and gives it back when it is
 * answered. Past the cap a request is answered 503 with `Retry-After` before
 * anything of it is read or accepted.
 *
 * @module
 */

import { HttpError } from "./http_error.ts";

/** Options of {@linkcode createByteReservations}. */
export interface InFlightBytesOptions {
  /** Most bytes reserved at once. */
  capBytes: number;
  /** Most bytes one body may take once read (and decompressed). */
  maxBodyBytes: number;
  /** Told of the bytes reserved after each change, for metrics. */
  onChange?(bytes: number): void;
}

/**
 * What a request reserves: nothing without a body or when its declared size
 * is over the limit (the body limit refuses it unread), its declared size
 * when it is not compressed, `maxBodyBytes` otherwise.
 *
 * @param headers The request's headers.
 * @param maxBodyBytes Most bytes one body may take.
 * @returns The bytes to reserve.
 */
export function reservationOf(headers: Headers, maxBodyBytes: number): number {
  const declared = headers.get("content-length");
  const encoding = headers.get("content-encoding")?.trim().toLowerCase() ?? "identity";
  if (declared === null || !/^\d+$/.test(declared.trim())) return maxBodyBytes;
  const length = Number(declared);
  if (length === 0 || length > maxBodyBytes) return 0;
  return encoding === "identity" || encoding === "" ? length : maxBodyBytes;
}

/** Reservations of body bytes against the cap. */
export interface ByteReservations {
  /**
   * Reserves what a request's body may take (see {@linkcode reservationOf}).
   *
   * @returns The bytes reserved, to give back with `release`.
   * @throws {HttpError} 503 when they would pass the cap.
   */
  reserve(headers: Headers): number;
  /** Gives back bytes a request reserved. */
  release(bytes: number): void;
}

/**
 * Creates the reservations.
 *
 * @param options The cap, the body limit and the metrics callback.
 * @returns The reservations, none held.
 * @throws {RangeError} When `capBytes` is below `maxBodyBytes`: a full-size body could never pass.
 */
export function createByteReservations(options: InFlightBytesOptions): ByteReservations {
  const { capBytes, maxBodyBytes, onChange } = options;
  if (!(capBytes >= maxBodyBytes)) {
    throw new RangeError(
      `Cannot cap bytes in flight at ${capBytes}: the cap must be at least the body limit, ${maxBodyBytes}`,
    );
  }
  let reserved = 0;
  return {
    reserve(headers) {
      const bytes = reservationOf(headers, maxBodyBytes);
      if (reserved + bytes > capBytes) {
        throw new HttpError(
          503,
          `Too many request bytes in flight: ${reserved} reserved, ${bytes} more asked, the cap is ${capBytes}; nothing was accepted, retry later`,
          [],
          // Closing the connection spares reading (and discarding) the body it refuses.
          { "Retry-After": "1", Connection: "close" },
        );
      }
      reserved += bytes;
      onChange?.(reserved);
      return bytes;
    },
    release(bytes) {
      reserved -= bytes;
      onChange?.(reserved);
    },
  };
}
