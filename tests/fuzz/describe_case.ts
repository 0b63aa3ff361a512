/**
 * Readable forms of a fuzz case, for reports: the recipe as JSON, and the
 * requests as sent (bodies cut to a length).
 *
 * @module
 */

import type { CaseRecipe } from "./case_arbitraries.ts";
import { materializeCase } from "./materialize_case.ts";

const decoder = new TextDecoder();

/**
 * The requests a recipe sends, one line each: time, route, content type, body.
 *
 * @param recipe The case.
 * @param maxBody Longest body shown, in characters (JSON-escaped, so control
 *   characters and lone surrogates are visible).
 * @returns The text.
 */
export function describeCase(recipe: CaseRecipe, maxBody = 600): string {
  const lines: string[] = [];
  for (const step of materializeCase(recipe).steps) {
    for (const request of step.requests) {
      const text = JSON.stringify(decoder.decode(request.body));
      const body = text.length > maxBody
        ? `${text.slice(0, maxBody)}… (${request.body.length} bytes)`
        : text;
      lines.push(
        `${new Date(step.at).toISOString()} POST ${request.path} ` +
          `[${request.contentType ?? "no Content-Type"}] ${request.label}: ${body}`,
      );
    }
  }
  return lines.join("\n");
}

/**
 * The recipe as JSON (JSON tokens written by hand show as `#raw:<text>`).
 *
 * @param recipe The case.
 * @returns Indented JSON.
 */
export function recipeJson(recipe: CaseRecipe): string {
  return JSON.stringify(recipe, null, 1);
}
