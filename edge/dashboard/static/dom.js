// Small helpers to write into the page. Data from events (profile names...) only ever goes into
// textContent.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** Sets an element's text, leaving the DOM alone when it is unchanged. */
export function setText(id, text) {
  const node = $(id);
  if (node.textContent !== text) node.textContent = text;
}

/** Writes a KPI value followed by its unit in a smaller span. */
export function valueWithUnit(id, value, unit) {
  const node = $(id);
  const strong = document.createTextNode(value);
  const span = document.createElement("span");
  span.className = "unit";
  span.textContent = unit;
  node.replaceChildren(strong, span);
}

/** Shows a card's empty-state message, or hides it when `message` is null. */
export function showEmpty(id, message) {
  const node = $(id);
  node.hidden = message === null;
  if (message !== null) node.textContent = message;
}
