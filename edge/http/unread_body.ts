/**
 * Cancels a request body the handlers did not read, as Hono middleware. A
 * request refused before its body is read (401, 404, 405, 429, 503, a 413
 * on its declared length) otherwise leaves the server reading, and throwing
 * away, everything the client still sends; cancelling closes the connection
 * instead, so refusing a large body costs next to nothing.
 *
 * @module
 */

import { createMiddleware } from "hono/factory";

/**
 * Creates the middleware; put it before anything that may refuse a request.
 *
 * @returns The middleware.
 */
export function cancelUnreadBody() {
  return createMiddleware(async (c, next) => {
    const request = c.req.raw;
    try {
      await next();
    } finally {
      if (!request.bodyUsed && request.body && !request.body.locked) {
        await request.body.cancel().catch(() => {});
      }
    }
  });
}
