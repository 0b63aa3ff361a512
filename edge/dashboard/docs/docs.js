// The API reference: Swagger UI (loaded before this script) renders the edge's own OpenAPI
// document. Nothing is fetched from elsewhere: no online validator, no remote assets.

const { SwaggerUIBundle } = globalThis;

// Swagger UI's style sheet carries a dark theme under `html.dark-mode`: follow the reader's scheme.
const dark = matchMedia("(prefers-color-scheme: dark)");
function followScheme() {
  document.documentElement.classList.toggle("dark-mode", dark.matches);
}
dark.addEventListener("change", followScheme);
followScheme();

SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  defaultModelsExpandDepth: 0,
  displayRequestDuration: true,
});
