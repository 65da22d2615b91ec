// The filter bar: search text, priority, tag, overdue and sort, as list parameters.

import { debounce, h } from "./dom.js";
import { PRIORITIES, SORTS } from "./labels.js";

export class Filters {
  /** @param onChange called (debounced for typing) whenever the filters change */
  constructor(form, onChange) {
    this.form = form;
    const options = (select, entries, any) => {
      if (any) select.append(h("option", { value: "" }, any));
      for (const [value, label] of entries) select.append(h("option", { value }, label));
    };
    options(form.elements.priority, PRIORITIES, "Any");
    options(form.elements.sort, SORTS);
    const typed = debounce(onChange, 300);
    // Typing waits for a pause; a choice applies at once.
    form.addEventListener("input", (event) => {
      const typing = event.target.type === "search" || event.target.name === "tag";
      if (typing) typed();
      else onChange();
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    // "reset" fires before the fields are cleared.
    form.addEventListener("reset", () => setTimeout(onChange));
  }

  params() {
    const { q, priority, tag, overdue, sort } = this.form.elements;
    return {
      q: q.value.trim(),
      priority: priority.value,
      tag: tag.value.trim().replace(/^#/, "").toLowerCase(),
      overdue: overdue.checked ? "true" : "",
      sort: sort.value,
    };
  }

  setTag(tag) {
    this.form.elements.tag.value = tag;
    this.form.elements.tag.dispatchEvent(new Event("input", { bubbles: true }));
  }
}
