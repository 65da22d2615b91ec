// Small DOM helpers. Text always goes in as text nodes, never as markup.

/** h("button", {type: "button", onclick}, "Save") -> an element. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** Today's date in the browser's time zone, "YYYY-MM-DD". The API's `overdue` filter
 * counts from the date in the user's own time zone, which is usually the same. */
export function todayHere() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function isOverdue(task) {
  return Boolean(task.due_date) && task.status !== "done" && task.due_date < todayHere();
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

export function formatDateTime(iso) {
  return dateTime.format(new Date(iso));
}

/** A calendar date ("2026-12-04") as the reader's locale writes it. */
export function formatDate(isoDate) {
  return dateOnly.format(new Date(`${isoDate}T00:00:00Z`));
}

/** Calls `fn` once things have been quiet for `ms`. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
