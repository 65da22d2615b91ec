// A task as a card on the board, and the same task as an inline form.

import { formatDate, h, isOverdue } from "./dom.js";
import { PRIORITIES, PRIORITY_LABEL, STATUSES } from "./labels.js";
import { parseTags } from "./tasks.js";

export const MOVE_HINT_ID = "move-hint";

/**
 * @param task a TaskRead
 * @param actions {edit, move(task, status), history, ask, remove, filterTag(tag)}
 */
export function renderCard(task, actions) {
  const quoted = `“${task.title}”`;
  const overdue = isOverdue(task);
  const titleId = `task-${task.id}-title`;
  const meta = [
    h("li", { class: `priority priority-${task.priority}` }, `${PRIORITY_LABEL[task.priority]} priority`),
  ];
  if (task.due_date) {
    meta.push(
      h(
        "li",
        { class: overdue ? "due overdue" : "due" },
        overdue ? h("strong", {}, "Overdue: ") : null,
        "due ",
        h("time", { datetime: task.due_date }, formatDate(task.due_date)),
      ),
    );
  }
  const card = h(
    "article",
    {
      class: `card priority-${task.priority}${overdue ? " is-overdue" : ""}`,
      tabindex: "0",
      draggable: "true",
      "aria-labelledby": titleId,
      "aria-describedby": MOVE_HINT_ID,
      "aria-keyshortcuts": "Shift+ArrowLeft Shift+ArrowRight",
      dataset: { id: task.id, key: "card" },
    },
    h("h3", { id: titleId, class: "card-title" }, task.title),
    task.description ? h("p", { class: "card-description" }, task.description) : null,
    h("ul", { class: "card-meta", "aria-label": "Details" }, meta),
    task.tags.length
      ? h(
          "ul",
          { class: "tags", "aria-label": "Tags" },
          task.tags.map((tag) =>
            h(
              "li",
              {},
              h(
                "button",
                {
                  type: "button",
                  class: "tag",
                  title: `Show only tasks tagged #${tag}`,
                  "aria-label": `Filter by tag ${tag}`,
                  onclick: () => actions.filterTag(tag),
                },
                `#${tag}`,
              ),
            ),
          ),
        )
      : null,
    h(
      "div",
      { class: "card-actions" },
      button("edit", "Edit", `Edit ${quoted}`, () => actions.edit(task)),
      moveMenu(task, quoted, actions.move),
      button("history", "History", `History of ${quoted}`, () => actions.history(task)),
      button("ask", "Ask", `Ask the assistant about ${quoted}`, () => actions.ask(task)),
      button("delete", "Delete", `Delete ${quoted}`, () => actions.remove(task), "danger"),
    ),
  );
  card.addEventListener("keydown", (event) => {
    if (event.target !== card || !event.shiftKey) return;
    const step = { ArrowLeft: -1, ArrowRight: 1 }[event.key];
    if (!step) return;
    const index = STATUSES.findIndex(([status]) => status === task.status) + step;
    if (index < 0 || index >= STATUSES.length) return;
    event.preventDefault();
    actions.move(task, STATUSES[index][0]);
  });
  card.addEventListener("dragstart", (event) => {
    event.dataTransfer.setData("application/x-task-id", String(task.id));
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("dragging");
  });
  card.addEventListener("dragend", () => card.classList.remove("dragging"));
  return card;
}

function button(key, text, label, onclick, extraClass = "") {
  return h(
    "button",
    { type: "button", class: extraClass || null, "aria-label": label, dataset: { key }, onclick },
    text,
  );
}

/** A menu button: "Move" opens the other columns; arrows, Enter and Escape work. */
function moveMenu(task, quoted, move) {
  const menuId = `task-${task.id}-move-menu`;
  const items = STATUSES.filter(([status]) => status !== task.status).map(([status, label]) =>
    h(
      "li",
      { role: "none" },
      h(
        "button",
        {
          type: "button",
          role: "menuitem",
          tabindex: "-1",
          onclick: () => {
            close(false);
            move(task, status);
          },
        },
        `To ${label}`,
      ),
    ),
  );
  const menu = h("ul", { id: menuId, role: "menu", "aria-label": `Move ${quoted}`, hidden: true }, items);
  const opener = h(
    "button",
    {
      type: "button",
      "aria-haspopup": "menu",
      "aria-expanded": "false",
      "aria-controls": menuId,
      "aria-label": `Move ${quoted}`,
      dataset: { key: "move" },
    },
    "Move",
  );
  const entries = () => [...menu.querySelectorAll("[role=menuitem]")];
  const open = () => {
    menu.hidden = false;
    opener.setAttribute("aria-expanded", "true");
    entries()[0]?.focus();
  };
  function close(refocus = true) {
    menu.hidden = true;
    opener.setAttribute("aria-expanded", "false");
    if (refocus) opener.focus();
  }
  opener.addEventListener("click", () => (menu.hidden ? open() : close()));
  opener.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      open();
    }
  });
  menu.addEventListener("keydown", (event) => {
    const list = entries();
    const index = list.indexOf(document.activeElement);
    const go = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: list.length - 1 }[event.key];
    if (go !== undefined) {
      event.preventDefault();
      list[(go + list.length) % list.length].focus();
    } else if (event.key === "Escape" || event.key === "Tab") {
      if (event.key === "Escape") event.preventDefault();
      close(event.key === "Escape");
    }
  });
  menu.addEventListener("focusout", (event) => {
    if (!menu.contains(event.relatedTarget) && event.relatedTarget !== opener) close(false);
  });
  return h("div", { class: "menu-wrap" }, opener, menu);
}

/** The inline editor: every field of the task. `save(changes)` gets only what changed. */
export function renderEditor(task, { save, cancel }) {
  const id = (name) => `edit-${task.id}-${name}`;
  const control = (tag, name, attributes = {}, ...children) =>
    h(tag, { id: id(name), name, "aria-describedby": `${id(name)}-error`, ...attributes }, ...children);
  const field = (name, label, input, wide = false) =>
    h(
      "div",
      { class: wide ? "field wide" : "field" },
      h("label", { for: id(name) }, label),
      input,
      h("small", { class: "field-error", id: `${id(name)}-error` }),
    );
  const choices = (options, value) =>
    options.map(([option, label]) => h("option", { value: option, selected: option === value }, label));

  const form = h(
    "form",
    {
      class: "card editor",
      "aria-label": `Edit “${task.title}”`,
      dataset: { id: task.id, key: "editor" },
      novalidate: true,
    },
    field("title", "Title", control("input", "title", { value: task.title, maxlength: "200" }), true),
    field(
      "description",
      "Description",
      control("textarea", "description", { rows: "3", maxlength: "10000" }, task.description ?? ""),
      true,
    ),
    field("status", "Status", control("select", "status", {}, choices(STATUSES, task.status))),
    field("priority", "Priority", control("select", "priority", {}, choices(PRIORITIES, task.priority))),
    field("due_date", "Due date", control("input", "due_date", { type: "date", value: task.due_date ?? "" })),
    field("tags", "Tags", control("input", "tags", { value: task.tags.join(" ") })),
    h("p", { class: "form-error", role: "alert" }),
    h(
      "div",
      { class: "editor-actions" },
      h("button", { type: "submit", dataset: { key: "save" } }, "Save"),
      h("button", { type: "button", dataset: { key: "cancel" }, onclick: () => cancel() }, "Cancel"),
    ),
  );
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      cancel();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(changesOf(task, new FormData(form)));
  });
  return form;
}

/** Show a 422's field errors (or one message) in the editor. */
export function showEditorErrors(form, message, fieldErrors = {}) {
  for (const small of form.querySelectorAll(".field-error")) small.textContent = "";
  for (const [name, text] of Object.entries(fieldErrors)) {
    const small = form.querySelector(`[name="${name}"]`)?.parentElement.querySelector(".field-error");
    if (small) small.textContent = text;
  }
  form.querySelector(".form-error").textContent = message;
}

function changesOf(task, data) {
  const next = {
    title: data.get("title").trim(),
    description: data.get("description") || null,
    status: data.get("status"),
    priority: data.get("priority"),
    due_date: data.get("due_date") || null,
    tags: parseTags(data.get("tags")),
  };
  const changes = {};
  for (const [name, value] of Object.entries(next)) {
    const before = task[name] ?? null;
    const same = Array.isArray(value) ? value.join(" ") === before.join(" ") : value === before;
    if (!same) changes[name] = value;
  }
  return changes;
}

