// The history drawer: who changed a task, what and when, newest first.

import { formatDateTime, h, replaceChildren } from "./dom.js";
import { FIELD_LABEL, actorLabel, valueLabel } from "./labels.js";

const ACTION = { created: "created it", updated: "changed it", deleted: "deleted it" };

export class HistoryDrawer {
  /** @param openConversation(sessionId) shows an agent session in the assistant */
  constructor(dialog, tasks, openConversation) {
    this.dialog = dialog;
    this.tasks = tasks;
    this.openConversation = openConversation;
    this.list = dialog.querySelector("#history-list");
    this.title = dialog.querySelector("#history-title");
    dialog.addEventListener("close", () => this.returnFocus?.focus());
    dialog.querySelector("#history-close").addEventListener("click", () => dialog.close());
    // A click on the backdrop (outside the drawer) closes it.
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
  }

  async open(task) {
    this.returnFocus = document.activeElement;
    this.title.textContent = `History of “${task.title}”`;
    replaceChildren(this.list, h("li", { class: "muted" }, "Loading…"));
    this.dialog.showModal();
    try {
      const events = await this.tasks.history(task.id);
      replaceChildren(
        this.list,
        events.reverse().map((event) => renderEvent(event, (id) => this.showConversation(id))),
      );
    } catch (error) {
      replaceChildren(this.list, h("li", { class: "error" }, `Could not load the history: ${error.message}`));
    }
  }

  showConversation(sessionId) {
    this.returnFocus = null;
    this.dialog.close();
    this.openConversation(sessionId);
  }
}

function renderEvent(event, showConversation) {
  // Always in the same order (the order of FIELD_LABEL), whatever order the API used.
  const order = Object.keys(FIELD_LABEL);
  const rank = (field) => (order.includes(field) ? order.indexOf(field) : order.length);
  const fields = Object.entries(event.changes).sort(([a], [b]) => rank(a) - rank(b));
  const changes = fields.map(([field, { old, new: value }]) =>
    h(
      "li",
      {},
      h("span", { class: "field-name" }, `${FIELD_LABEL[field] ?? field}: `),
      event.action === "created"
        ? h("span", { class: "new" }, valueLabel(field, value))
        : [
            h("del", { class: "old" }, valueLabel(field, old)),
            " → ",
            h("ins", { class: "new" }, valueLabel(field, value)),
          ],
    ),
  );
  return h(
    "li",
    { class: "history-entry" },
    h(
      "p",
      { class: "history-who" },
      h("strong", { class: "actor" }, actorLabel(event.actor)),
      ` ${ACTION[event.action] ?? event.action} · `,
      h("time", { datetime: event.at }, formatDateTime(event.at)),
    ),
    changes.length ? h("ul", { class: "history-changes" }, changes) : null,
    event.session_id
      ? h(
          "button",
          { type: "button", class: "link", onclick: () => showConversation(event.session_id) },
          "Open the conversation",
        )
      : null,
  );
}
